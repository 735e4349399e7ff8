# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_polyaxon_global_optspecs
    string join \n kubeconfig= context= n/namespace= v/verbose q/quiet no-color h/help V/version
end

function __fish_polyaxon_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_polyaxon_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_polyaxon_using_subcommand
    set -l cmd (__fish_polyaxon_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c polyaxon -n "__fish_polyaxon_needs_command" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_needs_command" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_needs_command" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_needs_command" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -s V -l version -d 'Print version'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "deploy" -d 'Deploy a new release from a Polyaxon deployment config'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "upgrade" -d 'Upgrade a deployed release to a new config or version'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "teardown" -d 'Delete everything a release owns (volumes are kept unless asked)'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "port-forward" -d 'Forward a local port to the release\'s gateway (until Ctrl-C)'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "status" -d 'List the releases, or show one (-r) with the state of its workloads'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "history" -d 'List the release\'s revisions'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "rollback" -d 'Roll the release back to an earlier revision (default: the previous one)'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "diff" -d 'Show what an upgrade would create, change and delete, without applying'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "unlock" -d 'Remove the release\'s lock, left by an operation that died on another machine'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "completion" -d 'Print the shell completion script'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "version" -d 'Print the tool\'s version, the newest Polyaxon it deploys, and the deployed one'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "admin" -d 'The Python CLI\'s `admin` group: deploy, upgrade, teardown'
complete -c polyaxon -n "__fish_polyaxon_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -s f -l file -l config-file -d 'Deployment config file; repeat to merge several (later files win)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l set -d 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l deployment-version -d 'Polyaxon version to deploy (default: the config\'s `deploymentVersion`, else the newest)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -s r -l release-name -d 'Release name (default: the config\'s `releaseName`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -s t -l deployment-type -d 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l manager-path -d 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -s o -l output -d 'Output format of --dry-run' -r -f -a "text\t'For people'
yaml\t'YAML'
json\t'JSON'"
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l timeout -d 'How long to wait for readiness before failing (e.g. 90s, 10m)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l apply-concurrency -d 'Objects of one stage applied at once (1 = one by one; for benchmarks)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l check -d 'Check the config (and, with a cluster, the permissions) and stop'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l dry-run -d 'Print the objects that would be applied, and stop. Needs no cluster'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l show-secrets -d 'With --dry-run: print Secret data instead of `<redacted>`'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -s y -l yes -d 'Do not ask before deploying the defaults when no -f is given (needed when not on a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l no-wait -d 'Do not wait for workloads to become ready'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand deploy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -s f -l file -l config-file -d 'Deployment config file; repeat to merge several (later files win)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l set -d 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l deployment-version -d 'Polyaxon version to deploy (default: the config\'s `deploymentVersion`, else the newest)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -s r -l release-name -d 'Release name (default: the config\'s `releaseName`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -s t -l deployment-type -d 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l manager-path -d 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l timeout -d 'How long to wait for readiness before failing (e.g. 90s, 10m)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l apply-concurrency -d 'Objects of one stage applied at once (1 = one by one; for benchmarks)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l dry-run -d 'Print the plan (create, change, delete) and stop'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l check -d 'Check the config (and, with a cluster, the permissions) and stop'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l allow-downgrade -d 'Allow deploying a version older than the deployed one'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l atomic -d 'On failure, roll back to the previous revision'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -s y -l yes -d 'Do not ask for confirmation (a major version jump asks otherwise)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l no-wait -d 'Do not wait for workloads to become ready'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand upgrade" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -s f -l file -l config-file -d 'Deployment config file; repeat to merge several (later files win)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -s r -l release-name -d 'Release name (default: the config\'s `releaseName`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -l manager-path -d 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -l timeout -d 'How long to wait for hooks and deletions (e.g. 90s, 10m)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -l no-hooks -d 'Skip the pre-delete hooks'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -l delete-volumes -d 'Also delete the release\'s PersistentVolumeClaims and the generated credentials of their data (kept by default)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -l delete-runs -d 'Also delete what runs left behind (objects labelled app.kubernetes.io/part-of=polyaxon-runs; kept by default)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -s y -l yes -d 'Do not ask for confirmation (needed when not on a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand teardown" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -s f -l file -l config-file -d 'Deployment config file; repeat to merge several (later files win)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -s r -l release-name -d 'Release name (default: the config\'s `releaseName`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -s p -l port -d 'Local port (default: 8000, or 31833 for minikube/microk8s)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -s s -l service -d 'Service to reach, resolved as `<release>-polyaxon-<service>`' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -l address -d 'Local address to listen on (default: 127.0.0.1; `localhost` also listens on ::1)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -s t -l deployment-type -d 'Deployment type (minikube/microk8s change the default port)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand port-forward" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand status" -s r -l release-name -d 'Release to show; without it, every release in the namespace is listed' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "table\t'An aligned table, for people'
yaml\t'YAML, for programs (the same fields, in the same order, every time)'
json\t'JSON, for programs (the same fields, in the same order, every time)'"
complete -c polyaxon -n "__fish_polyaxon_using_subcommand status" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand status" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand status" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand status" -s A -l all-namespaces -d 'List the releases in every namespace (instead of -n\'s)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand status" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand status" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand status" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand history" -s r -l release-name -d 'Release name' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand history" -s o -l output -d 'Output format' -r -f -a "table\t'An aligned table, for people'
yaml\t'YAML, for programs (the same fields, in the same order, every time)'
json\t'JSON, for programs (the same fields, in the same order, every time)'"
complete -c polyaxon -n "__fish_polyaxon_using_subcommand history" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand history" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand history" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand history" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand history" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand history" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -s r -l release-name -d 'Release name' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -l timeout -d 'How long to wait for readiness before failing (e.g. 90s, 10m)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -l apply-concurrency -d 'Objects of one stage applied at once (1 = one by one; for benchmarks)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -l no-wait -d 'Do not wait for workloads to become ready'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand rollback" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -s f -l file -l config-file -d 'Deployment config file; repeat to merge several (later files win)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -l set -d 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -l deployment-version -d 'Polyaxon version to deploy (default: the config\'s `deploymentVersion`, else the newest)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -s r -l release-name -d 'Release name (default: the config\'s `releaseName`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -s t -l deployment-type -d 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -l manager-path -d 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand diff" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand unlock" -s r -l release-name -d 'Release name' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand unlock" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand unlock" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand unlock" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand unlock" -s y -l yes -d 'Do not ask for confirmation (needed when not on a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand unlock" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand unlock" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand unlock" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand unlock" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand completion" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand completion" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand completion" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand completion" -l dynamic -d 'Print a small script that asks `polyaxon` at each <TAB> instead: it also completes release names, namespaces and contexts from the cluster'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand completion" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand completion" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand completion" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand completion" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand version" -s r -l release-name -d 'Release to report (default: every release in the namespace)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "text\t'For people'
yaml\t'YAML'
json\t'JSON'"
complete -c polyaxon -n "__fish_polyaxon_using_subcommand version" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand version" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand version" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand version" -l check -d 'Require the cluster: exit 3 when it cannot be reached, 1 when no release is found'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand version" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand version" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand version" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -f -a "deploy" -d 'Same as `polyaxon deploy`'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -f -a "upgrade" -d 'Same as `polyaxon upgrade`'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -f -a "teardown" -d 'Same as `polyaxon teardown`'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and not __fish_seen_subcommand_from deploy upgrade teardown help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -s f -l file -l config-file -d 'Deployment config file; repeat to merge several (later files win)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l set -d 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l deployment-version -d 'Polyaxon version to deploy (default: the config\'s `deploymentVersion`, else the newest)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -s r -l release-name -d 'Release name (default: the config\'s `releaseName`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -s t -l deployment-type -d 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l manager-path -d 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -s o -l output -d 'Output format of --dry-run' -r -f -a "text\t'For people'
yaml\t'YAML'
json\t'JSON'"
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l timeout -d 'How long to wait for readiness before failing (e.g. 90s, 10m)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l apply-concurrency -d 'Objects of one stage applied at once (1 = one by one; for benchmarks)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l check -d 'Check the config (and, with a cluster, the permissions) and stop'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l dry-run -d 'Print the objects that would be applied, and stop. Needs no cluster'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l show-secrets -d 'With --dry-run: print Secret data instead of `<redacted>`'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -s y -l yes -d 'Do not ask before deploying the defaults when no -f is given (needed when not on a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l no-wait -d 'Do not wait for workloads to become ready'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from deploy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -s f -l file -l config-file -d 'Deployment config file; repeat to merge several (later files win)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l set -d 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l deployment-version -d 'Polyaxon version to deploy (default: the config\'s `deploymentVersion`, else the newest)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -s r -l release-name -d 'Release name (default: the config\'s `releaseName`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -s t -l deployment-type -d 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l manager-path -d 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l timeout -d 'How long to wait for readiness before failing (e.g. 90s, 10m)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l apply-concurrency -d 'Objects of one stage applied at once (1 = one by one; for benchmarks)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l dry-run -d 'Print the plan (create, change, delete) and stop'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l check -d 'Check the config (and, with a cluster, the permissions) and stop'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l allow-downgrade -d 'Allow deploying a version older than the deployed one'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l atomic -d 'On failure, roll back to the previous revision'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -s y -l yes -d 'Do not ask for confirmation (a major version jump asks otherwise)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l no-wait -d 'Do not wait for workloads to become ready'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from upgrade" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -s f -l file -l config-file -d 'Deployment config file; repeat to merge several (later files win)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -s r -l release-name -d 'Release name (default: the config\'s `releaseName`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -l manager-path -d 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -l timeout -d 'How long to wait for hooks and deletions (e.g. 90s, 10m)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -l kubeconfig -d 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -l context -d 'Kubeconfig context to use (default: the current context)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -s n -l namespace -d 'Namespace of the release (default: the config\'s `namespace`, else `polyaxon`)' -r
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -l no-hooks -d 'Skip the pre-delete hooks'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -l delete-volumes -d 'Also delete the release\'s PersistentVolumeClaims and the generated credentials of their data (kept by default)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -l delete-runs -d 'Also delete what runs left behind (objects labelled app.kubernetes.io/part-of=polyaxon-runs; kept by default)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -s y -l yes -d 'Do not ask for confirmation (needed when not on a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -s v -l verbose -d 'Say more (repeat for more detail)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -s q -l quiet -d 'Say only errors (results asked for still go to stdout)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -l no-color -d 'No colours (also when NO_COLOR is set or the output is not a terminal)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from teardown" -s h -l help -d 'Print help'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "deploy" -d 'Same as `polyaxon deploy`'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "upgrade" -d 'Same as `polyaxon upgrade`'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "teardown" -d 'Same as `polyaxon teardown`'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "deploy" -d 'Deploy a new release from a Polyaxon deployment config'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "upgrade" -d 'Upgrade a deployed release to a new config or version'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "teardown" -d 'Delete everything a release owns (volumes are kept unless asked)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "port-forward" -d 'Forward a local port to the release\'s gateway (until Ctrl-C)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "status" -d 'List the releases, or show one (-r) with the state of its workloads'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "history" -d 'List the release\'s revisions'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "rollback" -d 'Roll the release back to an earlier revision (default: the previous one)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "diff" -d 'Show what an upgrade would create, change and delete, without applying'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "unlock" -d 'Remove the release\'s lock, left by an operation that died on another machine'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "completion" -d 'Print the shell completion script'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "version" -d 'Print the tool\'s version, the newest Polyaxon it deploys, and the deployed one'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "admin" -d 'The Python CLI\'s `admin` group: deploy, upgrade, teardown'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and not __fish_seen_subcommand_from deploy upgrade teardown port-forward status history rollback diff unlock completion version admin help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "deploy" -d 'Same as `polyaxon deploy`'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "upgrade" -d 'Same as `polyaxon upgrade`'
complete -c polyaxon -n "__fish_polyaxon_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "teardown" -d 'Same as `polyaxon teardown`'
