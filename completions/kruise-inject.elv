
use builtin;
use str;

set edit:completion:arg-completer[kruise-inject] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kruise-inject'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kruise-inject'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand render 'Write the manifests as the cluster will run them: every matching SidecarSet injected into Pods and workload pod templates, with the annotations and hashes Kruise writes'
            cand diff 'Show what rendering changes, as a unified diff per resource and a summary; with --old-sidecarsets, what a SidecarSet change does to the pods. Exit 0: no change, 1: changes, 2: error, 3: Kruise rejects the update of a SidecarSet (--old-sidecarsets)'
            cand check 'Check that a directory holds exactly what `render --out-dir` would write there. Exit 0: up to date, 1: stale, missing or extra files, 2: error'
            cand validate 'Validate SidecarSets as Kruise''s webhook does, and what they inject: missing ConfigMaps and Secrets, name and mount collisions, sidecars reading volumes nobody writes. Exit 0: no error, 1: errors (or warnings with --strict), 2: unreadable input'
            cand health 'Argo CD health of SidecarSets with status (`kubectl get sidecarset -o yaml`), or with --argocd-config a corrected argocd-cm health check. Exit 0: all Healthy, 1: otherwise, 2: error'
            cand uninject 'Remove what Kruise injected, using the annotations it wrote. Exit 0, or 2 on bad input'
            cand krm 'Run as a KRM function (kustomize, kpt): a ResourceList on stdin, the ResourceList with the SidecarSets injected on stdout. `kruise-inject` with no arguments and a ResourceList on stdin does the same (how kustomize runs an exec function)'
            cand rollout 'Simulate how Kruise upgrades sidecars in place when a SidecarSet changes, round by round: which pods go first, how many rounds, which pods are never upgraded. Exit 0, or 2 on bad input'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand man 'Print a man page (roff): kruise-inject(1), or kruise-inject-COMMAND(1)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kruise-inject;render'= {
            cand -s 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too'
            cand --sidecarsets 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too'
            cand -n 'Namespace of documents that have none'
            cand --namespace 'Namespace of documents that have none'
            cand --kruise-namespace 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live'
            cand --feature-gates 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults'
            cand --timestamp 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic'
            cand --seed 'Seed of the random draw of the `Partial` revision policy'
            cand --exclude 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores'
            cand --out-dir 'Write one file per input file into DIR, at the input''s path relative to the PATH argument it was found under, instead of one stream on standard output. Files that are already up to date are not touched. Exit code 1 when anything was written (so that a pre-commit hook fails and the new files get committed), 0 when DIR was up to date'
            cand --allow-outside-links 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)'
            cand --prune 'With --out-dir: delete the .yaml, .yml and .json files in DIR that no input renders to (left over from deleted or moved inputs). Without it they are reported, and the exit code is 1'
            cand -q 'Do not print the per-resource report on standard error'
            cand --quiet 'Do not print the per-resource report on standard error'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kruise-inject;diff'= {
            cand -s 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too'
            cand --sidecarsets 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too'
            cand -n 'Namespace of documents that have none'
            cand --namespace 'Namespace of documents that have none'
            cand --kruise-namespace 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live'
            cand --feature-gates 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults'
            cand --timestamp 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic'
            cand --seed 'Seed of the random draw of the `Partial` revision policy'
            cand --exclude 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores'
            cand -U 'Lines of context around each change'
            cand --context 'Lines of context around each change'
            cand --color 'When to colour the output: `auto` colours on a terminal unless NO_COLOR is set'
            cand -o '`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow commands) after the text, so that a pull request shows each finding at its line (paths relative to GITHUB_WORKSPACE, else the working directory); `json` prints one JSON object instead of the text. With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it'
            cand --output '`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow commands) after the text, so that a pull request shows each finding at its line (paths relative to GITHUB_WORKSPACE, else the working directory); `json` prints one JSON object instead of the text. With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it'
            cand --old-sidecarsets 'The SidecarSets before the change (file or directory; repeatable). The inputs are rendered with these and with the SidecarSets of -s and PATH, and the two results are compared; for each changed SidecarSet the output says what Kruise will do to pods that already run'
            cand --allow-outside-links 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)'
            cand -q 'Do not print warnings about the inputs on standard error'
            cand --quiet 'Do not print warnings about the inputs on standard error'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kruise-inject;check'= {
            cand -s 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too'
            cand --sidecarsets 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too'
            cand -n 'Namespace of documents that have none'
            cand --namespace 'Namespace of documents that have none'
            cand --kruise-namespace 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live'
            cand --feature-gates 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults'
            cand --timestamp 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic'
            cand --seed 'Seed of the random draw of the `Partial` revision policy'
            cand --exclude 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores'
            cand --color 'When to colour the output: `auto` colours on a terminal unless NO_COLOR is set'
            cand -o '`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow commands) after the text, so that a pull request shows each finding at its line (paths relative to GITHUB_WORKSPACE, else the working directory); `json` prints one JSON object instead of the text. With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it'
            cand --output '`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow commands) after the text, so that a pull request shows each finding at its line (paths relative to GITHUB_WORKSPACE, else the working directory); `json` prints one JSON object instead of the text. With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it'
            cand --out-dir 'The directory `render --out-dir DIR` writes, to compare with what it would write now'
            cand --allow-outside-links 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)'
            cand -q 'Do not print warnings about the inputs on standard error'
            cand --quiet 'Do not print warnings about the inputs on standard error'
            cand --prune 'Accepted so that `check` takes the same arguments as `render --out-dir DIR --prune` (one argument list for both pre-commit hooks). Files in DIR that no input renders to are reported with or without it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kruise-inject;validate'= {
            cand -n 'Namespace of documents that have none'
            cand --namespace 'Namespace of documents that have none'
            cand --kruise-namespace 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live'
            cand --feature-gates 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults'
            cand --exclude 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -s 'Context: SidecarSets, Namespaces, ControllerRevisions, ConfigMaps and Secrets (file or directory; repeatable). SidecarSets here are validated too; workloads here are not'
            cand --sidecarsets 'Context: SidecarSets, Namespaces, ControllerRevisions, ConfigMaps and Secrets (file or directory; repeatable). SidecarSets here are validated too; workloads here are not'
            cand --old-sidecarsets 'The SidecarSets as they are now in the cluster (file or directory; repeatable): a validated SidecarSet of the same name is an UPDATE of it, checked with Kruise''s update rules too (sidecar containers cannot be added or renamed, upgradeType and a canary''s base cannot change); the others are CREATEs'
            cand --allow-outside-links 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)'
            cand --strict 'Count warnings as errors for the exit code'
            cand -q 'Do not print the summary line on standard error'
            cand --quiet 'Do not print the summary line on standard error'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kruise-inject;health'= {
            cand --exclude 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --allow-outside-links 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)'
            cand --argocd-config 'Print an `argocd-cm` ConfigMap with the corrected SidecarSet health check (Lua) instead of checking anything'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kruise-inject;uninject'= {
            cand --exclude 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores'
            cand --allow-outside-links 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)'
            cand -q 'Do not print the per-resource report on standard error'
            cand --quiet 'Do not print the per-resource report on standard error'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kruise-inject;krm'= {
            cand --kruise-namespace 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live'
            cand --timestamp 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic'
            cand --seed 'Seed of the random draw of the `Partial` revision policy'
            cand --exclude 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores'
            cand -s 'Context read besides the items: SidecarSets, Namespaces, ControllerRevisions (file or directory, relative to the working directory; repeatable)'
            cand --sidecarsets 'Context read besides the items: SidecarSets, Namespaces, ControllerRevisions (file or directory, relative to the working directory; repeatable)'
            cand -n 'Namespace of items that have none'
            cand --namespace 'Namespace of items that have none'
            cand --feature-gates 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults. The function config''s `featureGates` adds to these'
            cand --allow-outside-links 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kruise-inject;rollout'= {
            cand -n 'Namespace of documents that have none'
            cand --namespace 'Namespace of documents that have none'
            cand --kruise-namespace 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live'
            cand --feature-gates 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults'
            cand --exclude 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores'
            cand --rounds 'How many rounds to simulate: a number, or `all` (until nothing is left to do). Between rounds every upgraded sidecar is assumed to restart and its pod to become ready'
            cand -s 'The SidecarSets to roll out (usually the new version), and the Namespaces their namespaceSelector needs (file or directory; repeatable)'
            cand --sidecarsets 'The SidecarSets to roll out (usually the new version), and the Namespaces their namespaceSelector needs (file or directory; repeatable)'
            cand --old-sidecarsets 'With --from-workloads: the SidecarSets the pods were created with (before the change), and the Namespaces and ControllerRevisions they need (file or directory; repeatable)'
            cand -o 'Output: `table` (a readable plan), `json` (per SidecarSet the status and the pods of each round), `yaml` (the pods after the rounds, as a List `rollout` reads back)'
            cand --output 'Output: `table` (a readable plan), `json` (per SidecarSet the status and the pods of each round), `yaml` (the pods after the rounds, as a List `rollout` reads back)'
            cand --timestamp 'Time the controller writes into annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic'
            cand --seed 'Seed of the random draw of the `Partial` revision policy (--from-workloads injection)'
            cand --allow-outside-links 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)'
            cand --from-workloads 'Plan from workloads instead of pods: each workload becomes `replicas` pods named <workload>-<i>, Running and Ready, injected with the SidecarSets of --old-sidecarsets'
            cand --verbose 'Table output: show every round (runs of four or more rounds that upgrade the same number of pods the same way are otherwise shown as one entry listing the first pods)'
            cand -q 'Do not print warnings and notes on standard error'
            cand --quiet 'Do not print warnings and notes on standard error'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kruise-inject;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kruise-inject;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kruise-inject;help'= {
            cand render 'Write the manifests as the cluster will run them: every matching SidecarSet injected into Pods and workload pod templates, with the annotations and hashes Kruise writes'
            cand diff 'Show what rendering changes, as a unified diff per resource and a summary; with --old-sidecarsets, what a SidecarSet change does to the pods. Exit 0: no change, 1: changes, 2: error, 3: Kruise rejects the update of a SidecarSet (--old-sidecarsets)'
            cand check 'Check that a directory holds exactly what `render --out-dir` would write there. Exit 0: up to date, 1: stale, missing or extra files, 2: error'
            cand validate 'Validate SidecarSets as Kruise''s webhook does, and what they inject: missing ConfigMaps and Secrets, name and mount collisions, sidecars reading volumes nobody writes. Exit 0: no error, 1: errors (or warnings with --strict), 2: unreadable input'
            cand health 'Argo CD health of SidecarSets with status (`kubectl get sidecarset -o yaml`), or with --argocd-config a corrected argocd-cm health check. Exit 0: all Healthy, 1: otherwise, 2: error'
            cand uninject 'Remove what Kruise injected, using the annotations it wrote. Exit 0, or 2 on bad input'
            cand krm 'Run as a KRM function (kustomize, kpt): a ResourceList on stdin, the ResourceList with the SidecarSets injected on stdout. `kruise-inject` with no arguments and a ResourceList on stdin does the same (how kustomize runs an exec function)'
            cand rollout 'Simulate how Kruise upgrades sidecars in place when a SidecarSet changes, round by round: which pods go first, how many rounds, which pods are never upgraded. Exit 0, or 2 on bad input'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand man 'Print a man page (roff): kruise-inject(1), or kruise-inject-COMMAND(1)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kruise-inject;help;render'= {
        }
        &'kruise-inject;help;diff'= {
        }
        &'kruise-inject;help;check'= {
        }
        &'kruise-inject;help;validate'= {
        }
        &'kruise-inject;help;health'= {
        }
        &'kruise-inject;help;uninject'= {
        }
        &'kruise-inject;help;krm'= {
        }
        &'kruise-inject;help;rollout'= {
        }
        &'kruise-inject;help;completions'= {
        }
        &'kruise-inject;help;man'= {
        }
        &'kruise-inject;help;help'= {
        }
    ]
    $completions[$command]
}
