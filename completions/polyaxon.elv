
use builtin;
use str;

set edit:completion:arg-completer[polyaxon] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'polyaxon'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'polyaxon'= {
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand deploy 'Deploy a new release from a Polyaxon deployment config'
            cand upgrade 'Upgrade a deployed release to a new config or version'
            cand teardown 'Delete everything a release owns (volumes are kept unless asked)'
            cand port-forward 'Forward a local port to the release''s gateway (until Ctrl-C)'
            cand status 'List the releases, or show one (-r) with the state of its workloads'
            cand history 'List the release''s revisions'
            cand rollback 'Roll the release back to an earlier revision (default: the previous one)'
            cand diff 'Show what an upgrade would create, change and delete, without applying'
            cand unlock 'Remove the release''s lock, left by an operation that died on another machine'
            cand completion 'Print the shell completion script'
            cand version 'Print the tool''s version, the newest Polyaxon it deploys, and the deployed one'
            cand admin 'The Python CLI''s `admin` group: deploy, upgrade, teardown'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polyaxon;deploy'= {
            cand -f 'Deployment config file; repeat to merge several (later files win)'
            cand --file 'Deployment config file; repeat to merge several (later files win)'
            cand --config-file 'Deployment config file; repeat to merge several (later files win)'
            cand --set 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)'
            cand --deployment-version 'Polyaxon version to deploy (default: the config''s `deploymentVersion`, else the newest)'
            cand -r 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand --release-name 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand -t 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)'
            cand --deployment-type 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)'
            cand --manager-path 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none'
            cand -o 'Output format of --dry-run'
            cand --output 'Output format of --dry-run'
            cand --timeout 'How long to wait for readiness before failing (e.g. 90s, 10m)'
            cand --apply-concurrency 'Objects of one stage applied at once (1 = one by one; for benchmarks)'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --check 'Check the config (and, with a cluster, the permissions) and stop'
            cand --dry-run 'Print the objects that would be applied, and stop. Needs no cluster'
            cand --show-secrets 'With --dry-run: print Secret data instead of `<redacted>`'
            cand -y 'Do not ask before deploying the defaults when no -f is given (needed when not on a terminal)'
            cand --yes 'Do not ask before deploying the defaults when no -f is given (needed when not on a terminal)'
            cand --no-wait 'Do not wait for workloads to become ready'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polyaxon;upgrade'= {
            cand -f 'Deployment config file; repeat to merge several (later files win)'
            cand --file 'Deployment config file; repeat to merge several (later files win)'
            cand --config-file 'Deployment config file; repeat to merge several (later files win)'
            cand --set 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)'
            cand --deployment-version 'Polyaxon version to deploy (default: the config''s `deploymentVersion`, else the newest)'
            cand -r 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand --release-name 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand -t 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)'
            cand --deployment-type 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)'
            cand --manager-path 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none'
            cand --timeout 'How long to wait for readiness before failing (e.g. 90s, 10m)'
            cand --apply-concurrency 'Objects of one stage applied at once (1 = one by one; for benchmarks)'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --dry-run 'Print the plan (create, change, delete) and stop'
            cand --check 'Check the config (and, with a cluster, the permissions) and stop'
            cand --allow-downgrade 'Allow deploying a version older than the deployed one'
            cand --atomic 'On failure, roll back to the previous revision'
            cand -y 'Do not ask for confirmation (a major version jump asks otherwise)'
            cand --yes 'Do not ask for confirmation (a major version jump asks otherwise)'
            cand --no-wait 'Do not wait for workloads to become ready'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polyaxon;teardown'= {
            cand -f 'Deployment config file; repeat to merge several (later files win)'
            cand --file 'Deployment config file; repeat to merge several (later files win)'
            cand --config-file 'Deployment config file; repeat to merge several (later files win)'
            cand -r 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand --release-name 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand --manager-path 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none'
            cand --timeout 'How long to wait for hooks and deletions (e.g. 90s, 10m)'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --no-hooks 'Skip the pre-delete hooks'
            cand --delete-volumes 'Also delete the release''s PersistentVolumeClaims and the generated credentials of their data (kept by default)'
            cand --delete-runs 'Also delete what runs left behind (objects labelled app.kubernetes.io/part-of=polyaxon-runs; kept by default)'
            cand -y 'Do not ask for confirmation (needed when not on a terminal)'
            cand --yes 'Do not ask for confirmation (needed when not on a terminal)'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polyaxon;port-forward'= {
            cand -f 'Deployment config file; repeat to merge several (later files win)'
            cand --file 'Deployment config file; repeat to merge several (later files win)'
            cand --config-file 'Deployment config file; repeat to merge several (later files win)'
            cand -r 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand --release-name 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand -p 'Local port (default: 8000, or 31833 for minikube/microk8s)'
            cand --port 'Local port (default: 8000, or 31833 for minikube/microk8s)'
            cand -s 'Service to reach, resolved as `<release>-polyaxon-<service>`'
            cand --service 'Service to reach, resolved as `<release>-polyaxon-<service>`'
            cand --address 'Local address to listen on (default: 127.0.0.1; `localhost` also listens on ::1)'
            cand -t 'Deployment type (minikube/microk8s change the default port)'
            cand --deployment-type 'Deployment type (minikube/microk8s change the default port)'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polyaxon;status'= {
            cand -r 'Release to show; without it, every release in the namespace is listed'
            cand --release-name 'Release to show; without it, every release in the namespace is listed'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand -A 'List the releases in every namespace (instead of -n''s)'
            cand --all-namespaces 'List the releases in every namespace (instead of -n''s)'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polyaxon;history'= {
            cand -r 'Release name'
            cand --release-name 'Release name'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polyaxon;rollback'= {
            cand -r 'Release name'
            cand --release-name 'Release name'
            cand --timeout 'How long to wait for readiness before failing (e.g. 90s, 10m)'
            cand --apply-concurrency 'Objects of one stage applied at once (1 = one by one; for benchmarks)'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --no-wait 'Do not wait for workloads to become ready'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polyaxon;diff'= {
            cand -f 'Deployment config file; repeat to merge several (later files win)'
            cand --file 'Deployment config file; repeat to merge several (later files win)'
            cand --config-file 'Deployment config file; repeat to merge several (later files win)'
            cand --set 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)'
            cand --deployment-version 'Polyaxon version to deploy (default: the config''s `deploymentVersion`, else the newest)'
            cand -r 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand --release-name 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand -t 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)'
            cand --deployment-type 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)'
            cand --manager-path 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polyaxon;unlock'= {
            cand -r 'Release name'
            cand --release-name 'Release name'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand -y 'Do not ask for confirmation (needed when not on a terminal)'
            cand --yes 'Do not ask for confirmation (needed when not on a terminal)'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polyaxon;completion'= {
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --dynamic 'Print a small script that asks `polyaxon` at each <TAB> instead: it also completes release names, namespaces and contexts from the cluster'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polyaxon;version'= {
            cand -r 'Release to report (default: every release in the namespace)'
            cand --release-name 'Release to report (default: every release in the namespace)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --check 'Require the cluster: exit 3 when it cannot be reached, 1 when no release is found'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polyaxon;admin'= {
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand deploy 'Same as `polyaxon deploy`'
            cand upgrade 'Same as `polyaxon upgrade`'
            cand teardown 'Same as `polyaxon teardown`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polyaxon;admin;deploy'= {
            cand -f 'Deployment config file; repeat to merge several (later files win)'
            cand --file 'Deployment config file; repeat to merge several (later files win)'
            cand --config-file 'Deployment config file; repeat to merge several (later files win)'
            cand --set 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)'
            cand --deployment-version 'Polyaxon version to deploy (default: the config''s `deploymentVersion`, else the newest)'
            cand -r 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand --release-name 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand -t 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)'
            cand --deployment-type 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)'
            cand --manager-path 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none'
            cand -o 'Output format of --dry-run'
            cand --output 'Output format of --dry-run'
            cand --timeout 'How long to wait for readiness before failing (e.g. 90s, 10m)'
            cand --apply-concurrency 'Objects of one stage applied at once (1 = one by one; for benchmarks)'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --check 'Check the config (and, with a cluster, the permissions) and stop'
            cand --dry-run 'Print the objects that would be applied, and stop. Needs no cluster'
            cand --show-secrets 'With --dry-run: print Secret data instead of `<redacted>`'
            cand -y 'Do not ask before deploying the defaults when no -f is given (needed when not on a terminal)'
            cand --yes 'Do not ask before deploying the defaults when no -f is given (needed when not on a terminal)'
            cand --no-wait 'Do not wait for workloads to become ready'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'polyaxon;admin;upgrade'= {
            cand -f 'Deployment config file; repeat to merge several (later files win)'
            cand --file 'Deployment config file; repeat to merge several (later files win)'
            cand --config-file 'Deployment config file; repeat to merge several (later files win)'
            cand --set 'Override a config value, Helm style (`gateway.replicas=2`, `a.b[0].c=v`, `x=1,y=2`)'
            cand --deployment-version 'Polyaxon version to deploy (default: the config''s `deploymentVersion`, else the newest)'
            cand -r 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand --release-name 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand -t 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)'
            cand --deployment-type 'Deployment type: kubernetes, minikube, microk8s, … (minikube/microk8s use a NodePort gateway)'
            cand --manager-path 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none'
            cand --timeout 'How long to wait for readiness before failing (e.g. 90s, 10m)'
            cand --apply-concurrency 'Objects of one stage applied at once (1 = one by one; for benchmarks)'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --dry-run 'Print the plan (create, change, delete) and stop'
            cand --check 'Check the config (and, with a cluster, the permissions) and stop'
            cand --allow-downgrade 'Allow deploying a version older than the deployed one'
            cand --atomic 'On failure, roll back to the previous revision'
            cand -y 'Do not ask for confirmation (a major version jump asks otherwise)'
            cand --yes 'Do not ask for confirmation (a major version jump asks otherwise)'
            cand --no-wait 'Do not wait for workloads to become ready'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polyaxon;admin;teardown'= {
            cand -f 'Deployment config file; repeat to merge several (later files win)'
            cand --file 'Deployment config file; repeat to merge several (later files win)'
            cand --config-file 'Deployment config file; repeat to merge several (later files win)'
            cand -r 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand --release-name 'Release name (default: the config''s `releaseName`, else `polyaxon`)'
            cand --manager-path 'Accepted for compatibility with the Python CLI (a helm chart path); this tool needs none'
            cand --timeout 'How long to wait for hooks and deletions (e.g. 90s, 10m)'
            cand --kubeconfig 'Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'Kubeconfig context to use (default: the current context)'
            cand -n 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --namespace 'Namespace of the release (default: the config''s `namespace`, else `polyaxon`)'
            cand --no-hooks 'Skip the pre-delete hooks'
            cand --delete-volumes 'Also delete the release''s PersistentVolumeClaims and the generated credentials of their data (kept by default)'
            cand --delete-runs 'Also delete what runs left behind (objects labelled app.kubernetes.io/part-of=polyaxon-runs; kept by default)'
            cand -y 'Do not ask for confirmation (needed when not on a terminal)'
            cand --yes 'Do not ask for confirmation (needed when not on a terminal)'
            cand -v 'Say more (repeat for more detail)'
            cand --verbose 'Say more (repeat for more detail)'
            cand -q 'Say only errors (results asked for still go to stdout)'
            cand --quiet 'Say only errors (results asked for still go to stdout)'
            cand --no-color 'No colours (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'polyaxon;admin;help'= {
            cand deploy 'Same as `polyaxon deploy`'
            cand upgrade 'Same as `polyaxon upgrade`'
            cand teardown 'Same as `polyaxon teardown`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polyaxon;admin;help;deploy'= {
        }
        &'polyaxon;admin;help;upgrade'= {
        }
        &'polyaxon;admin;help;teardown'= {
        }
        &'polyaxon;admin;help;help'= {
        }
        &'polyaxon;help'= {
            cand deploy 'Deploy a new release from a Polyaxon deployment config'
            cand upgrade 'Upgrade a deployed release to a new config or version'
            cand teardown 'Delete everything a release owns (volumes are kept unless asked)'
            cand port-forward 'Forward a local port to the release''s gateway (until Ctrl-C)'
            cand status 'List the releases, or show one (-r) with the state of its workloads'
            cand history 'List the release''s revisions'
            cand rollback 'Roll the release back to an earlier revision (default: the previous one)'
            cand diff 'Show what an upgrade would create, change and delete, without applying'
            cand unlock 'Remove the release''s lock, left by an operation that died on another machine'
            cand completion 'Print the shell completion script'
            cand version 'Print the tool''s version, the newest Polyaxon it deploys, and the deployed one'
            cand admin 'The Python CLI''s `admin` group: deploy, upgrade, teardown'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'polyaxon;help;deploy'= {
        }
        &'polyaxon;help;upgrade'= {
        }
        &'polyaxon;help;teardown'= {
        }
        &'polyaxon;help;port-forward'= {
        }
        &'polyaxon;help;status'= {
        }
        &'polyaxon;help;history'= {
        }
        &'polyaxon;help;rollback'= {
        }
        &'polyaxon;help;diff'= {
        }
        &'polyaxon;help;unlock'= {
        }
        &'polyaxon;help;completion'= {
        }
        &'polyaxon;help;version'= {
        }
        &'polyaxon;help;admin'= {
            cand deploy 'Same as `polyaxon deploy`'
            cand upgrade 'Same as `polyaxon upgrade`'
            cand teardown 'Same as `polyaxon teardown`'
        }
        &'polyaxon;help;admin;deploy'= {
        }
        &'polyaxon;help;admin;upgrade'= {
        }
        &'polyaxon;help;admin;teardown'= {
        }
        &'polyaxon;help;help'= {
        }
    ]
    $completions[$command]
}
