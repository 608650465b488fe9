# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kruise_inject_global_optspecs
    string join \n h/help V/version
end

function __fish_kruise_inject_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kruise_inject_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kruise_inject_using_subcommand
    set -l cmd (__fish_kruise_inject_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -s h -l help -d 'Print help'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "render" -d 'Write the manifests as the cluster will run them: every matching SidecarSet injected into Pods and workload pod templates, with the annotations and hashes Kruise writes'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "diff" -d 'Show what rendering changes, as a unified diff per resource and a summary; with --old-sidecarsets, what a SidecarSet change does to the pods. Exit 0: no change, 1: changes, 2: error'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "check" -d 'Check that a directory holds exactly what `render --out-dir` would write there. Exit 0: up to date, 1: stale, missing or extra files, 2: error'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "validate" -d 'Validate SidecarSets as Kruise\'s webhook does, and what they inject: missing ConfigMaps and Secrets, name and mount collisions, sidecars reading volumes nobody writes. Exit 0: no error, 1: errors (or warnings with --strict), 2: unreadable input'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "health" -d 'Argo CD health of SidecarSets with status (`kubectl get sidecarset -o yaml`), or with --argocd-config a corrected argocd-cm health check. Exit 0: all Healthy, 1: otherwise, 2: error'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "uninject" -d 'Remove what Kruise injected, using the annotations it wrote. Exit 0, or 2 on bad input'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "krm" -d 'Run as a KRM function (kustomize, kpt): a ResourceList on stdin, the ResourceList with the SidecarSets injected on stdout'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "rollout" -d 'Simulate how Kruise upgrades sidecars in place when a SidecarSet changes, round by round: which pods go first, how many rounds, which pods are never upgraded. Exit 0, or 2 on bad input'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "man" -d 'Print a man page (roff): kruise-inject(1), or kruise-inject-COMMAND(1)'
complete -c kruise-inject -n "__fish_kruise_inject_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand render" -s s -l sidecarsets -d 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too' -r -F
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand render" -s n -l namespace -d 'Namespace of documents that have none' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand render" -l timestamp -d 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand render" -l kruise-namespace -d 'Namespace where Kruise keeps SidecarSet ControllerRevisions' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand render" -l seed -d 'Seed of the random draw of the `Partial` revision policy' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand render" -l out-dir -d 'Write one file per input file into DIR, at the input\'s path relative to the PATH argument it was found under, instead of one stream on standard output. Files that are already up to date are not touched. Exit code 1 when anything was written (so that a pre-commit hook fails and the new files get committed), 0 when DIR was up to date' -r -F
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand render" -l prune -d 'With --out-dir: delete the .yaml, .yml and .json files in DIR that no input renders to (left over from deleted or moved inputs). Without it they are reported, and the exit code is 1'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand render" -s q -l quiet -d 'Do not print the per-resource report on standard error'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand render" -s h -l help -d 'Print help'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand render" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -s s -l sidecarsets -d 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too' -r -F
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -s n -l namespace -d 'Namespace of documents that have none' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -l timestamp -d 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -l kruise-namespace -d 'Namespace where Kruise keeps SidecarSet ControllerRevisions' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -l seed -d 'Seed of the random draw of the `Partial` revision policy' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -l old-sidecarsets -d 'The SidecarSets before the change (file or directory; repeatable). The inputs are rendered with these and with the SidecarSets of -s and PATH, and the two results are compared; for each changed SidecarSet the output says what Kruise will do to pods that already run' -r -F
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -s U -l context -d 'Lines of context around each change' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -l color -d 'When to colour the output: `auto` colours on a terminal unless NO_COLOR is set' -r -f -a "auto\t'On a terminal, unless `NO_COLOR` is set (or `CLICOLOR=0`; `CLICOLOR_FORCE` forces it)'
always\t'Always, even when `NO_COLOR` is set'
never\t'Never'"
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -l output -d '`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow commands) after the text, so that a pull request shows each finding at its line' -r -f -a "text\t'Text for people'
github\t'Text, then GitHub Actions workflow-command annotations'"
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -s q -l quiet -d 'Do not print warnings about the inputs on standard error'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand diff" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -s s -l sidecarsets -d 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too' -r -F
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -s n -l namespace -d 'Namespace of documents that have none' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -l timestamp -d 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -l kruise-namespace -d 'Namespace where Kruise keeps SidecarSet ControllerRevisions' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -l seed -d 'Seed of the random draw of the `Partial` revision policy' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -l out-dir -d 'The directory `render --out-dir DIR` writes, to compare with what it would write now' -r -F
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -l color -d 'When to colour the output: `auto` colours on a terminal unless NO_COLOR is set' -r -f -a "auto\t'On a terminal, unless `NO_COLOR` is set (or `CLICOLOR=0`; `CLICOLOR_FORCE` forces it)'
always\t'Always, even when `NO_COLOR` is set'
never\t'Never'"
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -l output -d '`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow commands) after the text, so that a pull request shows each finding at its line' -r -f -a "text\t'Text for people'
github\t'Text, then GitHub Actions workflow-command annotations'"
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -s q -l quiet -d 'Do not print warnings about the inputs on standard error'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand check" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand validate" -s s -l sidecarsets -d 'Context: SidecarSets, Namespaces, ControllerRevisions, ConfigMaps and Secrets (file or directory; repeatable). SidecarSets here are validated too; workloads here are not' -r -F
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand validate" -s n -l namespace -d 'Namespace of documents that have none' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand validate" -l kruise-namespace -d 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand validate" -s o -l output -d 'Output format' -r -f -a "text\t'`file:line: error: resource: message`, one line per finding'
json\t'One JSON object: `findings`, `errors`, `warnings`'
github\t'GitHub Actions workflow commands: `::error file=F,line=L::message`'"
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand validate" -l strict -d 'Count warnings as errors for the exit code'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand validate" -s q -l quiet -d 'Do not print the summary line on standard error'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand validate" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand health" -s o -l output -d 'Output format' -r -f -a "text\t'`NAME: STATUS: message`, one line per SidecarSet'
json\t'A JSON array of `{"file", "line", "name", "status", "message"}`'"
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand health" -l argocd-config -d 'Print an `argocd-cm` ConfigMap with the corrected SidecarSet health check (Lua) instead of checking anything'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand health" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand uninject" -s q -l quiet -d 'Do not print the per-resource report on standard error'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand uninject" -s h -l help -d 'Print help'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand uninject" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand krm" -s s -l sidecarsets -d 'Context read besides the items: SidecarSets, Namespaces, ControllerRevisions (file or directory, relative to the working directory; repeatable)' -r -F
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand krm" -s n -l namespace -d 'Namespace of items that have none [default: default]' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand krm" -l timestamp -d 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand krm" -l kruise-namespace -d 'Namespace where Kruise keeps SidecarSet ControllerRevisions [default: kruise-system]' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand krm" -l seed -d 'Seed of the random draw of the `Partial` revision policy [default: 0]' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand krm" -s h -l help -d 'Print help'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand krm" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -s s -l sidecarsets -d 'The SidecarSets to roll out (usually the new version), and the Namespaces their namespaceSelector needs (file or directory; repeatable)' -r -F
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -l old-sidecarsets -d 'With --from-workloads: the SidecarSets the pods were created with (before the change), and the Namespaces and ControllerRevisions they need (file or directory; repeatable)' -r -F
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -l rounds -d 'How many rounds to simulate: a number, or `all` (until nothing is left to do). Between rounds every upgraded sidecar is assumed to restart and its pod to become ready' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -s o -l output -d 'Output: `table` (a readable plan), `json` (per SidecarSet the status and the pods of each round), `yaml` (the pods after the rounds, as a List `rollout` reads back)' -r -f -a "table\t'A readable plan'
json\t'The JSON contract: per SidecarSet the status now and per round the pods changed'
yaml\t'The pods after the simulated rounds, as a `v1 List`'"
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -s n -l namespace -d 'Namespace of objects that have none' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -l timestamp -d 'Time the controller writes into annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -l kruise-namespace -d 'Namespace where Kruise keeps SidecarSet ControllerRevisions' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -l seed -d 'Seed of the random draw of the `Partial` revision policy (--from-workloads injection)' -r
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -l from-workloads -d 'Plan from workloads instead of pods: each workload becomes `replicas` pods named <workload>-<i>, Running and Ready, injected with the SidecarSets of --old-sidecarsets'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -l verbose -d 'Table output: show every round (runs of four or more rounds that upgrade the same number of pods the same way are otherwise shown as one entry listing the first pods)'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -s q -l quiet -d 'Do not print warnings and notes on standard error'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand rollout" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand man" -s h -l help -d 'Print help'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand man" -s V -l version -d 'Print version'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "render" -d 'Write the manifests as the cluster will run them: every matching SidecarSet injected into Pods and workload pod templates, with the annotations and hashes Kruise writes'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "diff" -d 'Show what rendering changes, as a unified diff per resource and a summary; with --old-sidecarsets, what a SidecarSet change does to the pods. Exit 0: no change, 1: changes, 2: error'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "check" -d 'Check that a directory holds exactly what `render --out-dir` would write there. Exit 0: up to date, 1: stale, missing or extra files, 2: error'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "validate" -d 'Validate SidecarSets as Kruise\'s webhook does, and what they inject: missing ConfigMaps and Secrets, name and mount collisions, sidecars reading volumes nobody writes. Exit 0: no error, 1: errors (or warnings with --strict), 2: unreadable input'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "health" -d 'Argo CD health of SidecarSets with status (`kubectl get sidecarset -o yaml`), or with --argocd-config a corrected argocd-cm health check. Exit 0: all Healthy, 1: otherwise, 2: error'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "uninject" -d 'Remove what Kruise injected, using the annotations it wrote. Exit 0, or 2 on bad input'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "krm" -d 'Run as a KRM function (kustomize, kpt): a ResourceList on stdin, the ResourceList with the SidecarSets injected on stdout'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "rollout" -d 'Simulate how Kruise upgrades sidecars in place when a SidecarSet changes, round by round: which pods go first, how many rounds, which pods are never upgraded. Exit 0, or 2 on bad input'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "man" -d 'Print a man page (roff): kruise-inject(1), or kruise-inject-COMMAND(1)'
complete -c kruise-inject -n "__fish_kruise_inject_using_subcommand help; and not __fish_seen_subcommand_from render diff check validate health uninject krm rollout completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
