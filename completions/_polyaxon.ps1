
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'polyaxon' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'polyaxon'
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
        'polyaxon' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Deploy a new release from a Polyaxon deployment config')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Upgrade a deployed release to a new config or version')
            [CompletionResult]::new('teardown', 'teardown', [CompletionResultType]::ParameterValue, 'Delete everything a release owns (volumes are kept unless asked)')
            [CompletionResult]::new('port-forward', 'port-forward', [CompletionResultType]::ParameterValue, 'Forward a local port to the release''s gateway (until Ctrl-C)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'List the releases, or show one (-r) with the state of its workloads')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the release''s revisions')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Roll the release back to an earlier revision (default: the previous one)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what an upgrade would create, change and delete, without applying')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Remove the release''s lock, left by an operation that died on another machine')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print the shell completion script')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the tool''s version, the newest Polyaxon it deploys, and the deployed one')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'The Python CLI''s `admin` group: deploy, upgrade, teardown')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polyaxon;deploy' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--config-file', '--config-file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)')
            [CompletionResult]::new('--deployment-version', '--deployment-version', [CompletionResultType]::ParameterName, 'Polyaxon version to deploy (default: the config''s `deploymentVersion`, else the newest)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)')
            [CompletionResult]::new('--deployment-type', '--deployment-type', [CompletionResultType]::ParameterName, 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)')
            [CompletionResult]::new('--manager-path', '--manager-path', [CompletionResultType]::ParameterName, 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dry-run')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dry-run')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing (e.g. 90s, 10m)')
            [CompletionResult]::new('--apply-concurrency', '--apply-concurrency', [CompletionResultType]::ParameterName, 'Objects of one stage applied at once (1 = one by one; for benchmarks)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Check the config (and, with a cluster, the permissions) and stop')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the objects that would be applied, and stop. Needs no cluster')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'With --dry-run: print Secret data instead of `<redacted>`')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask before deploying the defaults when no -f is given (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask before deploying the defaults when no -f is given (needed when not on a terminal)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Do not wait for workloads to become ready')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polyaxon;upgrade' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--config-file', '--config-file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)')
            [CompletionResult]::new('--deployment-version', '--deployment-version', [CompletionResultType]::ParameterName, 'Polyaxon version to deploy (default: the config''s `deploymentVersion`, else the newest)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)')
            [CompletionResult]::new('--deployment-type', '--deployment-type', [CompletionResultType]::ParameterName, 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)')
            [CompletionResult]::new('--manager-path', '--manager-path', [CompletionResultType]::ParameterName, 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing (e.g. 90s, 10m)')
            [CompletionResult]::new('--apply-concurrency', '--apply-concurrency', [CompletionResultType]::ParameterName, 'Objects of one stage applied at once (1 = one by one; for benchmarks)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (create, change, delete) and stop')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Check the config (and, with a cluster, the permissions) and stop')
            [CompletionResult]::new('--allow-downgrade', '--allow-downgrade', [CompletionResultType]::ParameterName, 'Allow deploying a version older than the deployed one')
            [CompletionResult]::new('--atomic', '--atomic', [CompletionResultType]::ParameterName, 'On failure, roll back to the previous revision')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (a major version jump asks otherwise)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (a major version jump asks otherwise)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Do not wait for workloads to become ready')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polyaxon;teardown' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--config-file', '--config-file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('--manager-path', '--manager-path', [CompletionResultType]::ParameterName, 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for hooks and deletions (e.g. 90s, 10m)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Skip the pre-delete hooks')
            [CompletionResult]::new('--delete-volumes', '--delete-volumes', [CompletionResultType]::ParameterName, 'Also delete the release''s PersistentVolumeClaims and the generated credentials of their data (kept by default)')
            [CompletionResult]::new('--delete-runs', '--delete-runs', [CompletionResultType]::ParameterName, 'Also delete what runs left behind (objects labelled app.kubernetes.io/part-of=polyaxon-runs; kept by default)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polyaxon;port-forward' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--config-file', '--config-file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Local port (default: 8000, or 31833 for minikube/microk8s)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Local port (default: 8000, or 31833 for minikube/microk8s)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Service to reach, resolved as `<release>-polyaxon-<service>`')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Service to reach, resolved as `<release>-polyaxon-<service>`')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Local address to listen on (default: 127.0.0.1; `localhost` also listens on ::1)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Deployment type (minikube/microk8s change the default port)')
            [CompletionResult]::new('--deployment-type', '--deployment-type', [CompletionResultType]::ParameterName, 'Deployment type (minikube/microk8s change the default port)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polyaxon;status' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release to show; without it, every release in the namespace is listed')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release to show; without it, every release in the namespace is listed')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List the releases in every namespace (instead of -n''s)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List the releases in every namespace (instead of -n''s)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polyaxon;history' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polyaxon;rollback' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing (e.g. 90s, 10m)')
            [CompletionResult]::new('--apply-concurrency', '--apply-concurrency', [CompletionResultType]::ParameterName, 'Objects of one stage applied at once (1 = one by one; for benchmarks)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Do not wait for workloads to become ready')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polyaxon;diff' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--config-file', '--config-file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)')
            [CompletionResult]::new('--deployment-version', '--deployment-version', [CompletionResultType]::ParameterName, 'Polyaxon version to deploy (default: the config''s `deploymentVersion`, else the newest)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)')
            [CompletionResult]::new('--deployment-type', '--deployment-type', [CompletionResultType]::ParameterName, 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)')
            [CompletionResult]::new('--manager-path', '--manager-path', [CompletionResultType]::ParameterName, 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polyaxon;unlock' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polyaxon;completion' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--dynamic', '--dynamic', [CompletionResultType]::ParameterName, 'Print a small script that asks `polyaxon` at each <TAB> instead: it also completes release names, namespaces and contexts from the cluster')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polyaxon;version' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release to report (default: every release in the namespace)')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release to report (default: every release in the namespace)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Require the cluster: exit 3 when it cannot be reached, 1 when no release is found')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polyaxon;admin' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Same as `polyaxon deploy`')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Same as `polyaxon upgrade`')
            [CompletionResult]::new('teardown', 'teardown', [CompletionResultType]::ParameterValue, 'Same as `polyaxon teardown`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polyaxon;admin;deploy' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--config-file', '--config-file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)')
            [CompletionResult]::new('--deployment-version', '--deployment-version', [CompletionResultType]::ParameterName, 'Polyaxon version to deploy (default: the config''s `deploymentVersion`, else the newest)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)')
            [CompletionResult]::new('--deployment-type', '--deployment-type', [CompletionResultType]::ParameterName, 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)')
            [CompletionResult]::new('--manager-path', '--manager-path', [CompletionResultType]::ParameterName, 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dry-run')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dry-run')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing (e.g. 90s, 10m)')
            [CompletionResult]::new('--apply-concurrency', '--apply-concurrency', [CompletionResultType]::ParameterName, 'Objects of one stage applied at once (1 = one by one; for benchmarks)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Check the config (and, with a cluster, the permissions) and stop')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the objects that would be applied, and stop. Needs no cluster')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'With --dry-run: print Secret data instead of `<redacted>`')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask before deploying the defaults when no -f is given (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask before deploying the defaults when no -f is given (needed when not on a terminal)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Do not wait for workloads to become ready')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'polyaxon;admin;upgrade' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--config-file', '--config-file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)')
            [CompletionResult]::new('--deployment-version', '--deployment-version', [CompletionResultType]::ParameterName, 'Polyaxon version to deploy (default: the config''s `deploymentVersion`, else the newest)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)')
            [CompletionResult]::new('--deployment-type', '--deployment-type', [CompletionResultType]::ParameterName, 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)')
            [CompletionResult]::new('--manager-path', '--manager-path', [CompletionResultType]::ParameterName, 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing (e.g. 90s, 10m)')
            [CompletionResult]::new('--apply-concurrency', '--apply-concurrency', [CompletionResultType]::ParameterName, 'Objects of one stage applied at once (1 = one by one; for benchmarks)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (create, change, delete) and stop')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Check the config (and, with a cluster, the permissions) and stop')
            [CompletionResult]::new('--allow-downgrade', '--allow-downgrade', [CompletionResultType]::ParameterName, 'Allow deploying a version older than the deployed one')
            [CompletionResult]::new('--atomic', '--atomic', [CompletionResultType]::ParameterName, 'On failure, roll back to the previous revision')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (a major version jump asks otherwise)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (a major version jump asks otherwise)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Do not wait for workloads to become ready')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polyaxon;admin;teardown' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('--config-file', '--config-file', [CompletionResultType]::ParameterName, 'Deployment config file; repeat to merge several (later files win)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('--release-name', '--release-name', [CompletionResultType]::ParameterName, 'Release name (default: the config''s `releaseName`, else `polyaxon`)')
            [CompletionResult]::new('--manager-path', '--manager-path', [CompletionResultType]::ParameterName, 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for hooks and deletions (e.g. 90s, 10m)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Skip the pre-delete hooks')
            [CompletionResult]::new('--delete-volumes', '--delete-volumes', [CompletionResultType]::ParameterName, 'Also delete the release''s PersistentVolumeClaims and the generated credentials of their data (kept by default)')
            [CompletionResult]::new('--delete-runs', '--delete-runs', [CompletionResultType]::ParameterName, 'Also delete what runs left behind (objects labelled app.kubernetes.io/part-of=polyaxon-runs; kept by default)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed when not on a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say only errors (results asked for still go to stdout)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colours (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'polyaxon;admin;help' {
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Same as `polyaxon deploy`')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Same as `polyaxon upgrade`')
            [CompletionResult]::new('teardown', 'teardown', [CompletionResultType]::ParameterValue, 'Same as `polyaxon teardown`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polyaxon;admin;help;deploy' {
            break
        }
        'polyaxon;admin;help;upgrade' {
            break
        }
        'polyaxon;admin;help;teardown' {
            break
        }
        'polyaxon;admin;help;help' {
            break
        }
        'polyaxon;help' {
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Deploy a new release from a Polyaxon deployment config')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Upgrade a deployed release to a new config or version')
            [CompletionResult]::new('teardown', 'teardown', [CompletionResultType]::ParameterValue, 'Delete everything a release owns (volumes are kept unless asked)')
            [CompletionResult]::new('port-forward', 'port-forward', [CompletionResultType]::ParameterValue, 'Forward a local port to the release''s gateway (until Ctrl-C)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'List the releases, or show one (-r) with the state of its workloads')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the release''s revisions')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Roll the release back to an earlier revision (default: the previous one)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what an upgrade would create, change and delete, without applying')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Remove the release''s lock, left by an operation that died on another machine')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print the shell completion script')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the tool''s version, the newest Polyaxon it deploys, and the deployed one')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'The Python CLI''s `admin` group: deploy, upgrade, teardown')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'polyaxon;help;deploy' {
            break
        }
        'polyaxon;help;upgrade' {
            break
        }
        'polyaxon;help;teardown' {
            break
        }
        'polyaxon;help;port-forward' {
            break
        }
        'polyaxon;help;status' {
            break
        }
        'polyaxon;help;history' {
            break
        }
        'polyaxon;help;rollback' {
            break
        }
        'polyaxon;help;diff' {
            break
        }
        'polyaxon;help;unlock' {
            break
        }
        'polyaxon;help;completion' {
            break
        }
        'polyaxon;help;version' {
            break
        }
        'polyaxon;help;admin' {
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Same as `polyaxon deploy`')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Same as `polyaxon upgrade`')
            [CompletionResult]::new('teardown', 'teardown', [CompletionResultType]::ParameterValue, 'Same as `polyaxon teardown`')
            break
        }
        'polyaxon;help;admin;deploy' {
            break
        }
        'polyaxon;help;admin;upgrade' {
            break
        }
        'polyaxon;help;admin;teardown' {
            break
        }
        'polyaxon;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
