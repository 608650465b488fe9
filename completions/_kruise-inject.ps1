
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kruise-inject' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kruise-inject'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kruise-inject' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Write the manifests as the cluster will run them: every matching SidecarSet injected into Pods and workload pod templates, with the annotations and hashes Kruise writes')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what rendering changes, as a unified diff per resource and a summary; with --old-sidecarsets, what a SidecarSet change does to the pods. Exit 0: no change, 1: changes, 2: error, 3: Kruise rejects the update of a SidecarSet (--old-sidecarsets)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check that a directory holds exactly what `render --out-dir` would write there. Exit 0: up to date, 1: stale, missing or extra files, 2: error')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Validate SidecarSets as Kruise''s webhook does, and what they inject: missing ConfigMaps and Secrets, name and mount collisions, sidecars reading volumes nobody writes. Exit 0: no error, 1: errors (or warnings with --strict), 2: unreadable input')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Argo CD health of SidecarSets with status (`kubectl get sidecarset -o yaml`), or with --argocd-config a corrected argocd-cm health check. Exit 0: all Healthy, 1: otherwise, 2: error')
            [CompletionResult]::new('uninject', 'uninject', [CompletionResultType]::ParameterValue, 'Remove what Kruise injected, using the annotations it wrote. Exit 0, or 2 on bad input')
            [CompletionResult]::new('krm', 'krm', [CompletionResultType]::ParameterValue, 'Run as a KRM function (kustomize, kpt): a ResourceList on stdin, the ResourceList with the SidecarSets injected on stdout. `kruise-inject` with no arguments and a ResourceList on stdin does the same (how kustomize runs an exec function)')
            [CompletionResult]::new('rollout', 'rollout', [CompletionResultType]::ParameterValue, 'Simulate how Kruise upgrades sidecars in place when a SidecarSet changes, round by round: which pods go first, how many rounds, which pods are never upgraded. Exit 0, or 2 on bad input')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff): kruise-inject(1), or kruise-inject-COMMAND(1)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kruise-inject;render' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too')
            [CompletionResult]::new('--sidecarsets', '--sidecarsets', [CompletionResultType]::ParameterName, 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of documents that have none')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of documents that have none')
            [CompletionResult]::new('--kruise-namespace', '--kruise-namespace', [CompletionResultType]::ParameterName, 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live')
            [CompletionResult]::new('--feature-gates', '--feature-gates', [CompletionResultType]::ParameterName, 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the random draw of the `Partial` revision policy')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores')
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write one file per input file into DIR, at the input''s path relative to the PATH argument it was found under, instead of one stream on standard output. Files that are already up to date are not touched. Exit code 1 when anything was written (so that a pre-commit hook fails and the new files get committed), 0 when DIR was up to date')
            [CompletionResult]::new('--allow-outside-links', '--allow-outside-links', [CompletionResultType]::ParameterName, 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'With --out-dir: delete the .yaml, .yml and .json files in DIR that no input renders to (left over from deleted or moved inputs). Without it they are reported, and the exit code is 1')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print the per-resource report on standard error')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print the per-resource report on standard error')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kruise-inject;diff' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too')
            [CompletionResult]::new('--sidecarsets', '--sidecarsets', [CompletionResultType]::ParameterName, 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of documents that have none')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of documents that have none')
            [CompletionResult]::new('--kruise-namespace', '--kruise-namespace', [CompletionResultType]::ParameterName, 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live')
            [CompletionResult]::new('--feature-gates', '--feature-gates', [CompletionResultType]::ParameterName, 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the random draw of the `Partial` revision policy')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores')
            [CompletionResult]::new('-U', '-U ', [CompletionResultType]::ParameterName, 'Lines of context around each change')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Lines of context around each change')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: `auto` colours on a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, '`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow commands) after the text, so that a pull request shows each finding at its line (paths relative to GITHUB_WORKSPACE, else the working directory); `json` prints one JSON object instead of the text. With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, '`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow commands) after the text, so that a pull request shows each finding at its line (paths relative to GITHUB_WORKSPACE, else the working directory); `json` prints one JSON object instead of the text. With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it')
            [CompletionResult]::new('--old-sidecarsets', '--old-sidecarsets', [CompletionResultType]::ParameterName, 'The SidecarSets before the change (file or directory; repeatable). The inputs are rendered with these and with the SidecarSets of -s and PATH, and the two results are compared; for each changed SidecarSet the output says what Kruise will do to pods that already run')
            [CompletionResult]::new('--allow-outside-links', '--allow-outside-links', [CompletionResultType]::ParameterName, 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print warnings about the inputs on standard error')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print warnings about the inputs on standard error')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kruise-inject;check' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too')
            [CompletionResult]::new('--sidecarsets', '--sidecarsets', [CompletionResultType]::ParameterName, 'Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions among the PATH documents apply too')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of documents that have none')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of documents that have none')
            [CompletionResult]::new('--kruise-namespace', '--kruise-namespace', [CompletionResultType]::ParameterName, 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live')
            [CompletionResult]::new('--feature-gates', '--feature-gates', [CompletionResultType]::ParameterName, 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the random draw of the `Partial` revision policy')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: `auto` colours on a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, '`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow commands) after the text, so that a pull request shows each finding at its line (paths relative to GITHUB_WORKSPACE, else the working directory); `json` prints one JSON object instead of the text. With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, '`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow commands) after the text, so that a pull request shows each finding at its line (paths relative to GITHUB_WORKSPACE, else the working directory); `json` prints one JSON object instead of the text. With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it')
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'The directory `render --out-dir DIR` writes, to compare with what it would write now')
            [CompletionResult]::new('--allow-outside-links', '--allow-outside-links', [CompletionResultType]::ParameterName, 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print warnings about the inputs on standard error')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print warnings about the inputs on standard error')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Accepted so that `check` takes the same arguments as `render --out-dir DIR --prune` (one argument list for both pre-commit hooks). Files in DIR that no input renders to are reported with or without it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kruise-inject;validate' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of documents that have none')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of documents that have none')
            [CompletionResult]::new('--kruise-namespace', '--kruise-namespace', [CompletionResultType]::ParameterName, 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live')
            [CompletionResult]::new('--feature-gates', '--feature-gates', [CompletionResultType]::ParameterName, 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Context: SidecarSets, Namespaces, ControllerRevisions, ConfigMaps and Secrets (file or directory; repeatable). SidecarSets here are validated too; workloads here are not')
            [CompletionResult]::new('--sidecarsets', '--sidecarsets', [CompletionResultType]::ParameterName, 'Context: SidecarSets, Namespaces, ControllerRevisions, ConfigMaps and Secrets (file or directory; repeatable). SidecarSets here are validated too; workloads here are not')
            [CompletionResult]::new('--old-sidecarsets', '--old-sidecarsets', [CompletionResultType]::ParameterName, 'The SidecarSets as they are now in the cluster (file or directory; repeatable): a validated SidecarSet of the same name is an UPDATE of it, checked with Kruise''s update rules too (sidecar containers cannot be added or renamed, upgradeType and a canary''s base cannot change); the others are CREATEs')
            [CompletionResult]::new('--allow-outside-links', '--allow-outside-links', [CompletionResultType]::ParameterName, 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Count warnings as errors for the exit code')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print the summary line on standard error')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print the summary line on standard error')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kruise-inject;health' {
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--allow-outside-links', '--allow-outside-links', [CompletionResultType]::ParameterName, 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)')
            [CompletionResult]::new('--argocd-config', '--argocd-config', [CompletionResultType]::ParameterName, 'Print an `argocd-cm` ConfigMap with the corrected SidecarSet health check (Lua) instead of checking anything')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kruise-inject;uninject' {
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores')
            [CompletionResult]::new('--allow-outside-links', '--allow-outside-links', [CompletionResultType]::ParameterName, 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print the per-resource report on standard error')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print the per-resource report on standard error')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kruise-inject;krm' {
            [CompletionResult]::new('--kruise-namespace', '--kruise-namespace', [CompletionResultType]::ParameterName, 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Injection time written into the hash annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the random draw of the `Partial` revision policy')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Context read besides the items: SidecarSets, Namespaces, ControllerRevisions (file or directory, relative to the working directory; repeatable)')
            [CompletionResult]::new('--sidecarsets', '--sidecarsets', [CompletionResultType]::ParameterName, 'Context read besides the items: SidecarSets, Namespaces, ControllerRevisions (file or directory, relative to the working directory; repeatable)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of items that have none')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of items that have none')
            [CompletionResult]::new('--feature-gates', '--feature-gates', [CompletionResultType]::ParameterName, 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults. The function config''s `featureGates` adds to these')
            [CompletionResult]::new('--allow-outside-links', '--allow-outside-links', [CompletionResultType]::ParameterName, 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kruise-inject;rollout' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of documents that have none')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of documents that have none')
            [CompletionResult]::new('--kruise-namespace', '--kruise-namespace', [CompletionResultType]::ParameterName, 'Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap (patch-metadata whitelist) live')
            [CompletionResult]::new('--feature-gates', '--feature-gates', [CompletionResultType]::ParameterName, 'Kruise''s feature gates, as the manager''s `--feature-gates` (e.g. `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so that the result is your installation''s; unset gates keep Kruise v1.9''s defaults')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`, `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not honoured: what is read never depends on what git ignores')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'How many rounds to simulate: a number, or `all` (until nothing is left to do). Between rounds every upgraded sidecar is assumed to restart and its pod to become ready')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The SidecarSets to roll out (usually the new version), and the Namespaces their namespaceSelector needs (file or directory; repeatable)')
            [CompletionResult]::new('--sidecarsets', '--sidecarsets', [CompletionResultType]::ParameterName, 'The SidecarSets to roll out (usually the new version), and the Namespaces their namespaceSelector needs (file or directory; repeatable)')
            [CompletionResult]::new('--old-sidecarsets', '--old-sidecarsets', [CompletionResultType]::ParameterName, 'With --from-workloads: the SidecarSets the pods were created with (before the change), and the Namespaces and ControllerRevisions they need (file or directory; repeatable)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output: `table` (a readable plan), `json` (per SidecarSet the status and the pods of each round), `yaml` (the pods after the rounds, as a List `rollout` reads back)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output: `table` (a readable plan), `json` (per SidecarSet the status and the pods of each round), `yaml` (the pods after the rounds, as a List `rollout` reads back)')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Time the controller writes into annotations (RFC 3339, or `now`). Default: SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the random draw of the `Partial` revision policy (--from-workloads injection)')
            [CompletionResult]::new('--allow-outside-links', '--allow-outside-links', [CompletionResultType]::ParameterName, 'Follow symlinks that lead outside the directory a walk started from (and let a function config name paths outside the package). By default such a link is an error naming it and its target, so that a pull request cannot make kruise-inject read files elsewhere on the machine (kustomize''s `--load-restrictor LoadRestrictionsNone`, for symlinks)')
            [CompletionResult]::new('--from-workloads', '--from-workloads', [CompletionResultType]::ParameterName, 'Plan from workloads instead of pods: each workload becomes `replicas` pods named <workload>-<i>, Running and Ready, injected with the SidecarSets of --old-sidecarsets')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Table output: show every round (runs of four or more rounds that upgrade the same number of pods the same way are otherwise shown as one entry listing the first pods)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print warnings and notes on standard error')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print warnings and notes on standard error')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kruise-inject;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kruise-inject;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kruise-inject;help' {
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Write the manifests as the cluster will run them: every matching SidecarSet injected into Pods and workload pod templates, with the annotations and hashes Kruise writes')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what rendering changes, as a unified diff per resource and a summary; with --old-sidecarsets, what a SidecarSet change does to the pods. Exit 0: no change, 1: changes, 2: error, 3: Kruise rejects the update of a SidecarSet (--old-sidecarsets)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check that a directory holds exactly what `render --out-dir` would write there. Exit 0: up to date, 1: stale, missing or extra files, 2: error')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Validate SidecarSets as Kruise''s webhook does, and what they inject: missing ConfigMaps and Secrets, name and mount collisions, sidecars reading volumes nobody writes. Exit 0: no error, 1: errors (or warnings with --strict), 2: unreadable input')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Argo CD health of SidecarSets with status (`kubectl get sidecarset -o yaml`), or with --argocd-config a corrected argocd-cm health check. Exit 0: all Healthy, 1: otherwise, 2: error')
            [CompletionResult]::new('uninject', 'uninject', [CompletionResultType]::ParameterValue, 'Remove what Kruise injected, using the annotations it wrote. Exit 0, or 2 on bad input')
            [CompletionResult]::new('krm', 'krm', [CompletionResultType]::ParameterValue, 'Run as a KRM function (kustomize, kpt): a ResourceList on stdin, the ResourceList with the SidecarSets injected on stdout. `kruise-inject` with no arguments and a ResourceList on stdin does the same (how kustomize runs an exec function)')
            [CompletionResult]::new('rollout', 'rollout', [CompletionResultType]::ParameterValue, 'Simulate how Kruise upgrades sidecars in place when a SidecarSet changes, round by round: which pods go first, how many rounds, which pods are never upgraded. Exit 0, or 2 on bad input')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff): kruise-inject(1), or kruise-inject-COMMAND(1)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kruise-inject;help;render' {
            break
        }
        'kruise-inject;help;diff' {
            break
        }
        'kruise-inject;help;check' {
            break
        }
        'kruise-inject;help;validate' {
            break
        }
        'kruise-inject;help;health' {
            break
        }
        'kruise-inject;help;uninject' {
            break
        }
        'kruise-inject;help;krm' {
            break
        }
        'kruise-inject;help;rollout' {
            break
        }
        'kruise-inject;help;completions' {
            break
        }
        'kruise-inject;help;man' {
            break
        }
        'kruise-inject;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
