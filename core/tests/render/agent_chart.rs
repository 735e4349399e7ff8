//! The agent chart's parameters (seed `000_…`, `001_…`).

use polyaxon_core::render::Hook;
use serde_json::{Value, json};

use crate::support::*;

#[test]
fn deployment_chart_agent_renders_the_agent_resource_set() {
    let m = agent("");
    for (kind, part) in [
        ("Deployment", "agent"),
        ("Deployment", "streams"),
        ("Deployment", "operator"),
        ("Service", "gateway"),
        ("ConfigMap", "config"),
        ("ConfigMap", "agent-config"),
        ("ConfigMap", "proxies-config"),
        ("Secret", "secret"),
        ("Secret", "agent-secret"),
        ("ServiceAccount", "agent-sa"),
        ("Role", "agent-role"),
        ("RoleBinding", "agent-role-binding"),
        ("ServiceAccount", "operator-sa"),
        ("Role", "operator-role"),
        ("ServiceAccount", "runs-sa"),
        ("Role", "runs-role"),
    ] {
        assert!(has(&m, kind, &name(part)), "{kind}/{} missing", name(part));
    }
    // 2.18.0 renders with the 2.15.1 chart: the operator's four kinds.
    for crd in [
        "clusters.polyaxon.com",
        "jobs.polyaxon.com",
        "kfjobs.polyaxon.com",
        "services.polyaxon.com",
    ] {
        assert!(has(&m, "CustomResourceDefinition", crd), "{crd}");
    }
    assert!(!has(
        &m,
        "CustomResourceDefinition",
        "operations.core.polyaxon.com"
    ));
    // No platform objects in an agent release.
    assert!(!has(&m, "StatefulSet", &format!("{RELEASE}-postgresql")));
    assert!(!has(&m, "ConfigMap", &name("platform-config")));
    // 2.x: the gateway is the streams server, Deployment `-streams` (as the
    // chart names it) whose pods are the gateway Service's.
    assert!(!has(&m, "Deployment", &name("gateway")));
    let streams = container(&m, "Deployment", &name("streams"));
    assert_eq!(streams["image"], "polyaxon/polyaxon-streams:2.18.0");
    assert_eq!(streams["name"], "agent-streams");
    let gateway_pods = json!({"app.kubernetes.io/name": name("gateway")});
    assert_eq!(
        get(&m, "Deployment", &name("streams"))["spec"]["selector"]["matchLabels"],
        gateway_pods
    );
    assert_eq!(
        get(&m, "Service", &name("gateway"))["spec"]["selector"],
        gateway_pods
    );
}

#[test]
fn workload_selectors_are_the_charts_name_label_alone() {
    // Selectors are immutable: they equal the chart's, so a helm-installed
    // release is taken over in place; the pods carry what they select.
    let m = agent("");
    for part in ["agent", "operator", "streams"] {
        let deployment = get(&m, "Deployment", &name(part));
        let selector = deployment["spec"]["selector"]["matchLabels"].clone();
        let app = if part == "streams" { "gateway" } else { part };
        assert_eq!(
            selector,
            json!({"app.kubernetes.io/name": name(app)}),
            "{part}"
        );
        let labels = &deployment["spec"]["template"]["metadata"]["labels"];
        assert_eq!(labels["app.kubernetes.io/name"], name(app), "{part}");
        // Ours keeps the release on the objects and pods (ownership sweeps).
        assert_eq!(labels["app.kubernetes.io/instance"], RELEASE, "{part}");
        assert_eq!(
            deployment["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "polyaxon"
        );
    }
}

#[test]
fn the_agent_needs_instance_and_token() {
    let err = try_render_with("deploymentChart: agent\nagent:\n  token: t\n", VERSION)
        .expect_err("no instance");
    assert!(err.contains("agent.instance"), "{err}");
    let err = try_render_with(
        "deploymentChart: agent\nagent:\n  instance: a.b.c\n",
        VERSION,
    )
    .expect_err("no token");
    assert!(err.to_string().contains("agent.token"), "{err}");
    // An existing Secret may stand for the token.
    let m = render("deploymentChart: agent\nagentSecret: my-token\nagent:\n  instance: a.b.c\n");
    assert_eq!(
        cm(&m, &name("agent-config"), "POLYAXON_AGENT_SECRET_NAME").as_deref(),
        Some("my-token")
    );
    assert!(!has(&m, "Secret", &name("agent-secret")));
    assert!(
        env_from(&container(&m, "Deployment", &name("agent"))).contains(&"my-token".to_string())
    );
}

#[test]
fn agent_instance_goes_to_the_config_and_the_token_only_to_a_secret() {
    let m = agent("");
    assert_eq!(
        cm(&m, &name("agent-config"), "POLYAXON_AGENT_INSTANCE").as_deref(),
        Some("acme.agents.1234")
    );
    assert_eq!(
        secret(&m, &name("agent-secret"), "POLYAXON_AUTH_TOKEN").as_deref(),
        Some("tok-123")
    );
    for o in all(&m, "ConfigMap") {
        let text = json(o).to_string();
        assert!(
            !text.contains("tok-123"),
            "token leaked into ConfigMap {}",
            o.name()
        );
    }
    let agent_container = container(&m, "Deployment", &name("agent"));
    assert!(env_from(&agent_container).contains(&name("agent-secret")));
}

#[test]
fn deployment_version_sets_image_tags_and_the_version_label() {
    let m = try_render_with(
        "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\n",
        "2.17.0",
    )
    .unwrap();
    for (kind, part) in [
        ("Deployment", "agent"),
        ("Deployment", "operator"),
        ("Deployment", "streams"),
    ] {
        let image = container(&m, kind, &name(part))["image"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(image.ends_with(":2.17.0"), "{part}: {image}");
    }
    for o in &m.objects {
        assert_eq!(
            json(o).pointer("/metadata/labels/app.kubernetes.io~1version"),
            Some(&json!("2.17.0")),
            "{}",
            o.id()
        );
    }
}

#[test]
fn namespace_applies_to_every_namespaced_object_and_is_created() {
    let m = agent("namespace: ml-team\n");
    assert!(has(&m, "Namespace", "ml-team"));
    for o in &m.objects {
        if o.namespaced {
            assert_eq!(o.namespace(), Some("ml-team"), "{}", o.id());
        } else {
            assert_eq!(o.namespace(), None, "{}", o.id());
        }
    }
    // The clean-up hook cleans that namespace.
    let job = m.hooks(Hook::PreDelete).next().expect("clean-up hook");
    let args = json(job)
        .pointer("/spec/template/spec/containers/0/args")
        .cloned()
        .unwrap();
    assert!(
        args.as_array()
            .unwrap()
            .contains(&json!("--namespace=ml-team"))
    );
}

#[test]
fn ingress_enabled_path_host_tls_and_annotations() {
    assert!(
        !all(&agent(""), "Ingress").any(|_| true),
        "no Ingress by default"
    );
    assert!(
        !all(
            &agent("ingress: {enabled: false, hostName: a.b}\n"),
            "Ingress"
        )
        .any(|_| true)
    );
    let m = agent(
        "ingress:\n  enabled: true\n  path: /polyaxon\n  hostName: polyaxon.acme.com\n  tls:\n  - secretName: polyaxon.acme-tls\n    hosts: [polyaxon.acme.com]\n  annotations:\n    ingress.kubernetes.io/proxy-body-size: 4G\n",
    );
    let ing = get(&m, "Ingress", &name("ingress"));
    assert_eq!(ing["apiVersion"], "networking.k8s.io/v1");
    let rule = &ing["spec"]["rules"][0];
    assert_eq!(rule["host"], "polyaxon.acme.com");
    assert_eq!(rule["http"]["paths"][0]["path"], "/polyaxon");
    assert_eq!(
        rule["http"]["paths"][0]["backend"]["service"],
        json!({"name": name("gateway"), "port": {"number": 80}})
    );
    assert_eq!(
        ing["spec"]["tls"],
        json!([{"secretName": "polyaxon.acme-tls", "hosts": ["polyaxon.acme.com"]}])
    );
    assert_eq!(
        ing["metadata"]["annotations"]["ingress.kubernetes.io/proxy-body-size"],
        "4G"
    );
    // The default path is `/`.
    let m = agent("ingress: {enabled: true}\n");
    assert_eq!(
        get(&m, "Ingress", &name("ingress"))["spec"]["rules"][0]["http"]["paths"][0]["path"],
        "/"
    );
    // And the platform host is the Ingress host.
    let m = agent("ingress: {enabled: true, hostName: x.acme.com}\n");
    assert_eq!(
        cm(&m, &name("config"), "POLYAXON_PLATFORM_HOST").as_deref(),
        Some("x.acme.com")
    );
}

#[test]
fn gateway_service_type_annotations_and_node_port() {
    let m = agent("");
    let svc = get(&m, "Service", &name("gateway"));
    assert_eq!(svc["spec"]["type"], "ClusterIP");
    assert_eq!(svc["spec"]["ports"][0]["port"], 80);
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], 8000);
    assert!(svc["spec"]["ports"][0].get("nodePort").is_none());

    let m = agent(
        "gateway:\n  service:\n    type: NodePort\n    annotations: {domainName: polyaxon.my.domain.com}\n",
    );
    let svc = get(&m, "Service", &name("gateway"));
    assert_eq!(svc["spec"]["type"], "NodePort");
    // The 2.x agent chart's node port; the 1.x charts' was 31833.
    assert_eq!(svc["spec"]["ports"][0]["nodePort"], 31822);
    let v1 = render_v1(
        "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\ngateway: {service: {type: NodePort}}\n",
    );
    assert_eq!(
        get(&v1, "Service", &name("gateway"))["spec"]["ports"][0]["nodePort"],
        31833
    );
    // The platform host names the node port, at the Service's in-cluster address.
    assert_eq!(
        cm(&m, &name("config"), "POLYAXON_PLATFORM_HOST").as_deref(),
        Some("http://plx-polyaxon-gateway.polyaxon.svc.cluster.local:31822")
    );
    assert_eq!(
        svc["metadata"]["annotations"]["domainName"],
        "polyaxon.my.domain.com"
    );

    let m = agent("gateway: {service: {type: LoadBalancer}}\n");
    assert_eq!(
        get(&m, "Service", &name("gateway"))["spec"]["type"],
        "LoadBalancer"
    );

    let m = agent("gateway: {service: {type: NodePort, nodePort: 30001}}\n");
    assert_eq!(
        get(&m, "Service", &name("gateway"))["spec"]["ports"][0]["nodePort"],
        30001
    );
}

#[test]
fn ssl_switches_the_proxies_config_and_the_1x_gateway_serves_443() {
    let ssl = |m: &polyaxon_core::render::Manifest, k: &str| cm(m, &name("proxies-config"), k);
    // 2.x: a certificate turns SSL and its redirect on in the proxies config;
    // no 2.x chart mounts it or opens 443 (TLS ends in front of the gateway).
    let m = agent("ssl: {enabled: true, secretName: polyaxon-cert}\n");
    assert_eq!(ssl(&m, "POLYAXON_SSL_ENABLED").as_deref(), Some("true"));
    assert_eq!(
        ssl(&m, "POLYAXON_SSL_REDIRECT_ENABLED").as_deref(),
        Some("true")
    );
    assert_eq!(ssl(&m, "POLYAXON_SSL_PATH"), None, "only a given path");
    let streams = get(&m, "Deployment", &name("streams"));
    assert!(volume(&streams, "ssl").is_none());
    let svc = get(&m, "Service", &name("gateway"));
    assert_eq!(svc["spec"]["ports"].as_array().unwrap().len(), 1);
    let m = agent("ssl: {enabled: true, secretName: polyaxon-cert, path: /certs}\n");
    assert_eq!(ssl(&m, "POLYAXON_SSL_PATH").as_deref(), Some("/certs"));

    // Ingress TLS entries turn SSL on too, without the redirect.
    let m = agent("ingress:\n  enabled: true\n  tls: [{secretName: t, hosts: [a.b]}]\n");
    assert_eq!(ssl(&m, "POLYAXON_SSL_ENABLED").as_deref(), Some("true"));
    assert_eq!(
        ssl(&m, "POLYAXON_SSL_REDIRECT_ENABLED").as_deref(),
        Some("false")
    );

    let m = agent("");
    assert_eq!(ssl(&m, "POLYAXON_SSL_ENABLED").as_deref(), Some("false"));
    assert_eq!(
        ssl(&m, "POLYAXON_SSL_REDIRECT_ENABLED").as_deref(),
        Some("false")
    );

    // 1.x: the nginx gateway mounts the certificate and serves 443.
    let m = render_v1(
        "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\nssl: {enabled: true, secretName: polyaxon-cert}\n",
    );
    let gw = get(&m, "Deployment", &name("gateway"));
    let c = &gw["spec"]["template"]["spec"]["containers"][0];
    assert!(mount(c, "/etc/ssl").is_some(), "default path /etc/ssl");
    assert_eq!(
        volume(&gw, "ssl").unwrap()["secret"]["secretName"],
        "polyaxon-cert"
    );
    let svc = get(&m, "Service", &name("gateway"));
    assert!(
        svc["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["port"] == 443)
    );
}

#[test]
fn dns_backend_prefix_and_custom_cluster() {
    let key = |m: &polyaxon_core::render::Manifest, k: &str| cm(m, &name("proxies-config"), k);
    // The charts' defaults; an empty prefix, from which Polyaxon derives
    // `<backend>.kube-system`.
    let m = agent("");
    assert_eq!(key(&m, "POLYAXON_DNS_PREFIX").as_deref(), Some(""));
    assert_eq!(key(&m, "POLYAXON_DNS_BACKEND").as_deref(), Some("kube-dns"));
    assert_eq!(
        key(&m, "POLYAXON_DNS_CUSTOM_CLUSTER").as_deref(),
        Some("cluster.local")
    );
    let m = agent("dns: {backend: coredns}\n");
    assert_eq!(key(&m, "POLYAXON_DNS_PREFIX").as_deref(), Some(""));
    assert_eq!(key(&m, "POLYAXON_DNS_BACKEND").as_deref(), Some("coredns"));
    let m = agent("dns: {backend: coredns, prefix: kube-dns.other-kube-system}\n");
    assert_eq!(
        key(&m, "POLYAXON_DNS_PREFIX").as_deref(),
        Some("kube-dns.other-kube-system")
    );
    let m = agent("dns: {customCluster: custom.cluster.name}\n");
    assert_eq!(
        key(&m, "POLYAXON_DNS_CUSTOM_CLUSTER").as_deref(),
        Some("custom.cluster.name")
    );
    // The cluster domain builds the in-cluster addresses.
    assert_eq!(
        key(&m, "POLYAXON_PROXY_STREAMS_HOST").as_deref(),
        Some("plx-polyaxon-gateway.polyaxon.svc.custom.cluster.name")
    );
    // Charts before 2.1.0 write only the DNS keys the config sets.
    let old = |extra: &str| {
        try_render_with(
            &format!("deploymentChart: agent\nagent: {{instance: a.b.c, token: t}}\n{extra}"),
            "2.0.0",
        )
        .unwrap()
    };
    assert_eq!(key(&old(""), "POLYAXON_DNS_BACKEND"), None);
    assert_eq!(key(&old(""), "POLYAXON_DNS_PREFIX"), None);
    assert_eq!(
        key(&old("dns: {backend: coredns}\n"), "POLYAXON_DNS_BACKEND").as_deref(),
        Some("coredns")
    );
}

#[test]
fn auth_enabled_and_use_resolver() {
    // As the charts: auth on by default in the agent chart, each setting
    // written only when set (Polyaxon's own defaults apply otherwise).
    let key = |m: &polyaxon_core::render::Manifest, k: &str| cm(m, &name("proxies-config"), k);
    let m = agent("");
    assert_eq!(
        key(&m, "POLYAXON_PROXY_AUTH_ENABLED").as_deref(),
        Some("true")
    );
    assert_eq!(key(&m, "POLYAXON_PROXY_AUTH_USE_RESOLVER"), None);
    let m = agent("auth: {useResolver: true, external: https://auth.acme.com}\n");
    assert_eq!(
        key(&m, "POLYAXON_PROXY_AUTH_USE_RESOLVER").as_deref(),
        Some("true")
    );
    assert_eq!(
        key(&m, "POLYAXON_PROXY_AUTH_EXTERNAL").as_deref(),
        Some("https://auth.acme.com")
    );
    let m = agent("auth: {useResolver: false}\n");
    assert_eq!(key(&m, "POLYAXON_PROXY_AUTH_USE_RESOLVER"), None);
    let m = agent("auth: {enabled: false, useResolver: true}\n");
    assert_eq!(key(&m, "POLYAXON_PROXY_AUTH_ENABLED"), None);
    assert_eq!(key(&m, "POLYAXON_PROXY_AUTH_USE_RESOLVER"), None);
}

#[test]
fn timezone_goes_to_the_common_config() {
    assert_eq!(
        cm(&agent(""), &name("config"), "POLYAXON_TIME_ZONE").as_deref(),
        Some("UTC")
    );
    let m = agent("timezone: Europe/Paris\n");
    assert_eq!(
        cm(&m, &name("config"), "POLYAXON_TIME_ZONE").as_deref(),
        Some("Europe/Paris")
    );
}

#[test]
fn node_selector_and_tolerations_reach_every_core_pod() {
    let m = agent(
        "nodeSelector: {pool: core}\ntolerations:\n- {key: dedicated, operator: Equal, value: polyaxon, effect: NoSchedule}\n",
    );
    let pods = core_pods(&m);
    assert!(
        pods.len() >= 4,
        "agent, gateway, operator, clean-up hook: {pods:?}"
    );
    for (id, spec) in pods {
        assert_eq!(spec["nodeSelector"], json!({"pool": "core"}), "{id}");
        assert_eq!(spec["tolerations"][0]["key"], "dedicated", "{id}");
    }
    // A service's own value wins over the global one.
    let m = render(
        "deploymentChart: agent\nnodeSelector: {pool: core}\nagent: {instance: a.b.c, token: t, nodeSelector: {pool: agents}}\n",
    );
    let spec = get(&m, "Deployment", &name("agent"))["spec"]["template"]["spec"].clone();
    assert_eq!(spec["nodeSelector"], json!({"pool": "agents"}));
}

#[test]
fn the_default_core_affinity_and_its_override() {
    let m = agent("");
    for (id, spec) in core_pods(&m) {
        let term =
            &spec["affinity"]["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0];
        assert_eq!(term["weight"], 100, "{id}");
        assert_eq!(
            term["podAffinityTerm"]["topologyKey"], "kubernetes.io/hostname",
            "{id}"
        );
        assert_eq!(
            term["podAffinityTerm"]["labelSelector"]["matchExpressions"][0],
            json!({"key": "type", "operator": "In", "values": ["polyaxon-core"]}),
            "{id}"
        );
    }
    let m = agent(
        "affinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n      nodeSelectorTerms:\n      - matchExpressions: [{key: gpu, operator: DoesNotExist}]\n",
    );
    // As helm merges a config into the chart's values: the given
    // nodeAffinity joins the default podAffinity, in the pods and in the
    // scheduling handed to runs.
    for (id, spec) in core_pods(&m) {
        assert!(spec["affinity"]["podAffinity"].is_object(), "{id}");
        assert!(spec["affinity"]["nodeAffinity"].is_object(), "{id}");
    }
    let runs = parse(
        &cm(
            &m,
            &name("agent-config"),
            "POLYAXON_AGENT_DEFAULT_SCHEDULING",
        )
        .unwrap(),
    );
    assert!(runs["affinity"]["podAffinity"].is_object());
    assert!(runs["affinity"]["nodeAffinity"].is_object());
    // An empty mapping keeps the default, as helm merges it; the seed's
    // per-role spelling with an empty `core` means none.
    let m = agent("affinity: {}\n");
    for (id, spec) in core_pods(&m) {
        assert!(spec["affinity"]["podAffinity"].is_object(), "{id}");
    }
    let m = agent("affinity: {core: {}}\n");
    for (id, spec) in core_pods(&m) {
        assert!(spec.get("affinity").is_none(), "{id}");
    }
}

#[test]
fn external_services_api_is_the_control_plane_in_the_proxies_config() {
    let m = agent("externalServices:\n  api: {host: polyaxon.acme.com, port: 8443}\n");
    assert_eq!(
        cm(&m, &name("proxies-config"), "POLYAXON_PROXY_API_HOST").as_deref(),
        Some("polyaxon.acme.com")
    );
    assert_eq!(
        cm(&m, &name("proxies-config"), "POLYAXON_PROXY_API_PORT").as_deref(),
        Some("8443")
    );
    let m = agent("externalServices:\n  api: {host: polyaxon.acme.com}\n");
    assert_eq!(
        cm(&m, &name("proxies-config"), "POLYAXON_PROXY_API_PORT").as_deref(),
        Some("443")
    );
    // Without one, the API route is the release's own gateway, as the
    // charts write it, and so are the gateway and streams routes; the
    // services reach it at POLYAXON_HOST.
    let m = agent("");
    let proxies = |k: &str| cm(&m, &name("proxies-config"), k);
    let gateway = "plx-polyaxon-gateway.polyaxon.svc.cluster.local";
    for route in ["API", "GATEWAY", "STREAMS"] {
        assert_eq!(
            proxies(&format!("POLYAXON_PROXY_{route}_HOST")).as_deref(),
            Some(gateway),
            "{route}"
        );
        assert_eq!(
            proxies(&format!("POLYAXON_PROXY_{route}_PORT")).as_deref(),
            Some("80")
        );
        assert_eq!(
            proxies(&format!("POLYAXON_PROXY_{route}_TARGET_PORT")).as_deref(),
            Some("8000")
        );
        assert_eq!(
            proxies(&format!("POLYAXON_PROXY_{route}_USE_RESOLVER")).as_deref(),
            Some("false")
        );
    }
    assert_eq!(
        proxies("POLYAXON_HOST").as_deref(),
        Some("http://plx-polyaxon-gateway.polyaxon.svc.cluster.local:80")
    );
    assert_eq!(
        proxies("POLYAXON_PROXY_GATEWAY_CONCURRENCY").as_deref(),
        Some("2")
    );
    assert_eq!(
        proxies("POLYAXON_PROXY_GATEWAY_PER_CORE").as_deref(),
        Some("true")
    );
    // Before chart 2.1.0 the hosts were the bare Service names.
    let old = try_render_with(
        "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\n",
        "2.0.0",
    )
    .unwrap();
    assert_eq!(
        cm(&old, &name("proxies-config"), "POLYAXON_PROXY_API_HOST").as_deref(),
        Some("plx-polyaxon-gateway")
    );
    assert_eq!(
        cm(&old, &name("config"), "POLYAXON_PLATFORM_HOST").as_deref(),
        Some("http://plx-polyaxon-gateway:80")
    );
}

#[test]
fn security_context_enabled_with_user_and_group() {
    for (_, spec) in core_pods(&agent("")) {
        assert!(spec.get("securityContext").is_none());
    }
    let m = agent("securityContext: {enabled: true}\n");
    for (id, spec) in core_pods(&m) {
        assert_eq!(spec["securityContext"]["runAsUser"], 2222, "{id}");
        assert_eq!(spec["securityContext"]["runAsGroup"], 2222, "{id}");
        assert_eq!(spec["securityContext"]["fsGroup"], 2222, "{id}");
        assert_eq!(
            spec["containers"][0]["securityContext"]["runAsNonRoot"], true,
            "{id}"
        );
        assert_eq!(
            spec["containers"][0]["securityContext"]["allowPrivilegeEscalation"], false,
            "{id}"
        );
    }
    let m = agent("securityContext: {enabled: true, runAsUser: 1111, runAsGroup: 1112}\n");
    for (id, spec) in core_pods(&m) {
        assert_eq!(spec["securityContext"]["runAsUser"], 1111, "{id}");
        assert_eq!(spec["securityContext"]["runAsGroup"], 1112, "{id}");
    }
    assert_eq!(
        cm(&m, &name("config"), "POLYAXON_SECURITY_CONTEXT_USER").as_deref(),
        Some("1111")
    );
    assert_eq!(
        cm(&m, &name("config"), "POLYAXON_SECURITY_CONTEXT_GROUP").as_deref(),
        Some("1112")
    );
}

#[test]
fn artifacts_store_is_in_the_agent_config_and_mounted_in_the_gateway() {
    let m = agent("");
    let store = parse(&cm(&m, &name("agent-config"), "POLYAXON_AGENT_ARTIFACTS_STORE").unwrap());
    assert_eq!(store["name"], "default-artifacts-store");
    // The default store, a host path, is mounted in the streams server.
    let streams = get(&m, "Deployment", &name("streams"));
    assert_eq!(
        volume(&streams, "default-artifacts-store").unwrap()["hostPath"]["path"],
        "/tmp/artifactsStore"
    );
    let m = agent(
        "artifactsStore:\n  name: store\n  kind: volume_claim\n  schema: {volumeClaim: artifacts-pvc, mountPath: /artifacts}\n",
    );
    let store = parse(&cm(&m, &name("agent-config"), "POLYAXON_AGENT_ARTIFACTS_STORE").unwrap());
    assert_eq!(store["name"], "store");
    let gw = get(&m, "Deployment", &name("streams"));
    assert_eq!(
        volume(&gw, "store").unwrap()["persistentVolumeClaim"]["claimName"],
        "artifacts-pvc"
    );
    assert!(
        mount(
            &gw["spec"]["template"]["spec"]["containers"][0],
            "/artifacts"
        )
        .is_some()
    );
    // A bucket store's secret is exposed as environment.
    let m = agent(
        "artifactsStore:\n  name: s3\n  kind: s3\n  schema: {bucket: s3://b}\n  secret: {name: s3-creds}\n",
    );
    assert!(
        env_from(&container(&m, "Deployment", &name("streams"))).contains(&"s3-creds".to_string())
    );
}

#[test]
fn connections_are_listed_and_mount_connections_are_mounted() {
    let yaml = "connections:\n- {name: data, kind: host_path, schema: {hostPath: /mnt/data, mountPath: /data}}\n- {name: repo, kind: git, schema: {url: 'https://github.com/x/y'}, secret: {name: git-creds, mountPath: /etc/git}}\n";
    let m = agent(yaml);
    let listed = parse(&cm(&m, &name("agent-config"), "POLYAXON_AGENT_CONNECTIONS").unwrap());
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["data", "repo"]);
    let agent_c = container(&m, "Deployment", &name("agent"));
    assert!(
        mount(&agent_c, "/data").is_none(),
        "not mounted unless asked"
    );

    // The streams server reads the data: the chart mounts them there, not
    // in the agent.
    let m = agent(&format!("{yaml}mountConnections: [data, repo]\n"));
    let workload = get(&m, "Deployment", &name("streams"));
    let c = &workload["spec"]["template"]["spec"]["containers"][0];
    assert!(mount(c, "/data").is_some());
    assert_eq!(mount(c, "/etc/git").unwrap()["readOnly"], true);
    assert_eq!(
        volume(&workload, "data").unwrap()["hostPath"]["path"],
        "/mnt/data"
    );
    assert!(mount(&container(&m, "Deployment", &name("agent")), "/data").is_none());
}

#[test]
fn notification_connections_are_listed_and_their_secrets_mounted() {
    let m = agent(
        "notificationConnections:\n- {name: slack, kind: slack, secret: {name: slack-webhook}}\n- {name: hook, kind: webhook, secret: {name: hook-secret, mountPath: /etc/hook}}\n",
    );
    let listed = parse(
        &cm(
            &m,
            &name("agent-config"),
            "POLYAXON_AGENT_NOTIFICATION_CONNECTIONS",
        )
        .unwrap(),
    );
    assert_eq!(listed[0]["name"], "slack");
    let c = container(&m, "Deployment", &name("agent"));
    assert!(env_from(&c).contains(&"slack-webhook".to_string()));
    assert!(mount(&c, "/etc/hook").is_some());
}

#[test]
fn additional_namespaces_make_the_rbac_cluster_wide_and_watch_cluster_adds_nodes() {
    let m = render(
        "deploymentChart: agent\nagent: {instance: a.b.c, token: t, watchCluster: true, additionalNamespaces: [runs]}\n",
    );
    let role = get(&m, "ClusterRole", &name("agent-clusterrole"));
    let rules = role["rules"].as_array().unwrap();
    assert_eq!(rules[0]["resources"], json!(["nodes"]));
    let binding = get(&m, "ClusterRoleBinding", &name("agent-clusterrole-binding"));
    assert_eq!(binding["subjects"][0]["name"], name("agent-sa"));
    assert!(!has(&m, "Role", &name("agent-role")));
    for part in ["operator", "runs"] {
        assert!(has(
            &m,
            "ClusterRole",
            &name(&format!("{part}-clusterrole"))
        ));
        assert!(!has(&m, "Role", &name(&format!("{part}-role"))));
    }
    // As the 2.1+ charts: `watchCluster` alone keeps the roles namespaced.
    let m =
        render("deploymentChart: agent\nagent: {instance: a.b.c, token: t, watchCluster: true}\n");
    assert!(has(&m, "Role", &name("agent-role")));
    assert!(all(&m, "ClusterRole").next().is_none());
}

#[test]
fn the_clean_up_hook_runs_before_delete() {
    let m = agent("");
    let hooks: Vec<_> = m.hooks(Hook::PreDelete).collect();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].kind(), "Job");
    assert_eq!(hooks[0].name(), format!("{RELEASE}-clean-runs"));
    let c = json(hooks[0])
        .pointer("/spec/template/spec/containers/0")
        .cloned()
        .unwrap();
    assert_eq!(c["image"], "polyaxon/polyaxon-cli:2.18.0");
    assert_eq!(c["command"], json!(["polyaxon"]));
    // The 2.x CLI has `clean-ops` under `admin` only.
    assert_eq!(
        c["args"],
        json!([
            "admin",
            "clean-ops",
            "--namespace=polyaxon",
            "--in-cluster",
            "--delete"
        ])
    );
    assert!(c.get("resources").is_none(), "the charts set none");
    let spec = json(hooks[0])
        .pointer("/spec/template/spec")
        .cloned()
        .unwrap();
    assert_eq!(spec["restartPolicy"], Value::from("Never"));
    assert_eq!(spec["activeDeadlineSeconds"], 360);
    assert_eq!(spec["serviceAccountName"], name("agent-sa"));
    // The charts before 1.18.0 ran it at the top level.
    let first_arg = |version: &str| {
        let m = try_render_with(
            "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\n",
            version,
        )
        .unwrap();
        let job = m.hooks(Hook::PreDelete).next().expect("clean-up hook");
        json(job)
            .pointer("/spec/template/spec/containers/0/args/0")
            .cloned()
    };
    assert_eq!(first_arg("1.14.0"), Some(json!("clean-ops")));
    assert_eq!(first_arg("1.20.0"), Some(json!("admin")));
}

#[test]
fn v1_agent_has_an_nginx_gateway_and_separate_streams() {
    let m = try_render_with(
        "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\n",
        "1.14.0",
    )
    .unwrap();
    assert_eq!(
        container(&m, "Deployment", &name("gateway"))["image"],
        "polyaxon/polyaxon-gateway:1.14.0"
    );
    assert_eq!(
        container(&m, "Deployment", &name("streams"))["image"],
        "polyaxon/polyaxon-streams:1.14.0"
    );
    assert!(has(&m, "Service", &name("streams")));
    assert_eq!(
        cm(&m, &name("proxies-config"), "POLYAXON_PROXY_STREAMS_HOST"),
        Some(name("streams"))
    );
}

#[test]
fn the_seed_spellings_time_zone_and_security_context_user_group() {
    let m = agent("timeZone: Asia/Tokyo\n");
    assert_eq!(
        cm(&m, &name("config"), "POLYAXON_TIME_ZONE").as_deref(),
        Some("Asia/Tokyo")
    );
    let m = agent("securityContext: {enabled: true, user: 1111, group: 1111}\n");
    for (id, spec) in core_pods(&m) {
        assert_eq!(spec["securityContext"]["runAsUser"], 1111, "{id}");
        assert_eq!(spec["securityContext"]["runAsGroup"], 1111, "{id}");
    }
}

#[test]
fn istio_and_proxy_settings_reach_the_proxies_config() {
    let m = agent(
        "istio: {enabled: true, gateway: istio-system/gw, timeout: 30}\nproxy: {enabled: true, httpsProxy: 'http://proxy:3128', noProxy: localhost}\n",
    );
    let key = |k: &str| cm(&m, &name("proxies-config"), k);
    assert_eq!(key("POLYAXON_ISTIO_ENABLED").as_deref(), Some("true"));
    assert_eq!(
        key("POLYAXON_ISTIO_GATEWAY").as_deref(),
        Some("istio-system/gw")
    );
    assert_eq!(key("POLYAXON_ISTIO_TIMEOUT").as_deref(), Some("30"));
    assert_eq!(key("HTTPS_PROXY").as_deref(), Some("http://proxy:3128"));
    assert_eq!(key("no_proxy").as_deref(), Some("localhost"));
    assert_eq!(
        cm(
            &m,
            &name("agent-config"),
            "POLYAXON_AGENT_USE_PROXY_ENV_VARS_IN_OPS"
        )
        .as_deref(),
        Some("false")
    );
}

#[test]
fn an_alias_connection_is_listed_but_never_mounted() {
    let m = agent(
        "connections:\n- {name: a, kind: host_path, schema: {hostPath: /a, mountPath: /a}}\n- {name: b, kind: host_path, isAlias: true, schema: {hostPath: /a, mountPath: /b}}\nmountConnections: [a, b]\n",
    );
    let c = container(&m, "Deployment", &name("streams"));
    assert!(mount(&c, "/a").is_some());
    assert!(mount(&c, "/b").is_none());
    let listed = parse(&cm(&m, &name("agent-config"), "POLYAXON_AGENT_CONNECTIONS").unwrap());
    assert_eq!(listed.as_array().unwrap().len(), 2);
}

#[test]
fn operators_switch_on_their_config_flags_and_operator_rules() {
    let m = agent("operators: {tfjob: true, raycluster: true}\n");
    assert_eq!(
        cm(&m, &name("agent-config"), "POLYAXON_TFJOB_ENABLED").as_deref(),
        Some("true")
    );
    assert_eq!(
        cm(&m, &name("agent-config"), "POLYAXON_RAY_CLUSTER_ENABLED").as_deref(),
        Some("true")
    );
    // From chart 2.1.0 every switch is written, off unless turned on; 2.12.0
    // has Dask and Ray clusters where older charts had jobs.
    assert_eq!(
        cm(&m, &name("agent-config"), "POLYAXON_MPIJOB_ENABLED").as_deref(),
        Some("false")
    );
    assert_eq!(
        cm(&m, &name("agent-config"), "POLYAXON_DASK_CLUSTER_ENABLED").as_deref(),
        Some("false")
    );
    assert!(cm(&m, &name("agent-config"), "POLYAXON_RAY_JOB_ENABLED").is_none());
    let old = |version: &str| {
        try_render_with(
            "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\noperators: {tfjob: true}\n",
            version,
        )
        .unwrap()
    };
    let m_211 = old("2.11.1");
    assert_eq!(
        cm(&m_211, &name("agent-config"), "POLYAXON_RAY_JOB_ENABLED").as_deref(),
        Some("false")
    );
    assert!(
        cm(
            &m_211,
            &name("agent-config"),
            "POLYAXON_RAY_CLUSTER_ENABLED"
        )
        .is_none()
    );
    // Before 2.1.0 only the switches turned on.
    let m_200 = old("2.0.0");
    assert_eq!(
        cm(&m_200, &name("agent-config"), "POLYAXON_TFJOB_ENABLED").as_deref(),
        Some("true")
    );
    assert!(cm(&m_200, &name("agent-config"), "POLYAXON_MPIJOB_ENABLED").is_none());
    let rules = get(&m, "Role", &name("operator-role"))["rules"].clone();
    let has_rule = |plural: &str| {
        rules
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["resources"] == json!([plural]))
    };
    assert!(has_rule("tfjobs") && has_rule("rayclusters"));
    assert!(!has_rule("mpijobs"));
}

#[test]
fn the_agent_config_has_the_charts_keys_and_defaults() {
    let m = agent("");
    let key = |k: &str| cm(&m, &name("agent-config"), k);
    for (k, v) in [
        ("POLYAXON_WATCH_CLUSTER", "false"),
        ("POLYAXON_SINGLE_NAMESPACE", "true"),
        ("POLYAXON_ADDITIONAL_NAMESPACES", "[]"),
        ("POLYAXON_ENABLE_STATUS_FINALIZERS", "true"),
        ("POLYAXON_ENABLE_LOGS_FINALIZERS", "false"),
        ("POLYAXON_MAX_CONCURRENT_RECONCILES", "8"),
        ("POLYAXON_AGENT_EXECUTOR_REFRESH_INTERVAL", "300"),
        ("POLYAXON_K8S_IN_CLUSTER", "true"),
        ("POLYAXON_SET_AGENT", "true"),
    ] {
        assert_eq!(key(k).as_deref(), Some(v), "{k}");
    }
    // The helper containers handed to runs carry the chart's resources; the
    // sidecar its intervals.
    let resources = json!({
        "limits": {"cpu": "1000m", "memory": "2000Mi"},
        "requests": {"cpu": "100m", "memory": "100Mi"},
    });
    for (k, image) in [
        ("POLYAXON_AGENT_INIT", "polyaxon/polyaxon-init"),
        ("POLYAXON_AGENT_CLEANER", "polyaxon/polyaxon-init"),
        (
            "POLYAXON_AGENT_NOTIFIER",
            "polyaxon/polyaxon-events-handlers",
        ),
        ("POLYAXON_AGENT_SIDECAR", "polyaxon/polyaxon-sidecar"),
    ] {
        let helper = parse(&key(k).unwrap());
        assert_eq!(helper["image"], image, "{k}");
        assert_eq!(helper["imageTag"], "2.18.0", "{k}");
        assert_eq!(helper["imagePullPolicy"], "IfNotPresent", "{k}");
        assert_eq!(helper["resources"], resources, "{k}");
    }
    let sidecar = parse(&key("POLYAXON_AGENT_SIDECAR").unwrap());
    assert_eq!(
        (
            sidecar["sleepInterval"].clone(),
            sidecar["syncInterval"].clone()
        ),
        (json!(10), json!(10))
    );
    // As helm merges values: what the config gives replaces its part only.
    let m = render(
        "deploymentChart: agent\nsidecar:\n  syncInterval: 30\n  resources: {requests: {cpu: 50m}}\nagent:\n  instance: a.b.c\n  token: t\n  enableStatusFinalizers: false\n  watchCluster: true\n  additionalNamespaces: [runs-a, runs-b]\n",
    );
    let key = |k: &str| cm(&m, &name("agent-config"), k);
    let sidecar = parse(&key("POLYAXON_AGENT_SIDECAR").unwrap());
    assert_eq!(sidecar["syncInterval"], 30);
    assert_eq!(sidecar["sleepInterval"], 10);
    assert_eq!(
        sidecar["resources"],
        json!({"limits": {"cpu": "1000m", "memory": "2000Mi"}, "requests": {"cpu": "50m", "memory": "100Mi"}})
    );
    assert_eq!(
        key("POLYAXON_ENABLE_STATUS_FINALIZERS").as_deref(),
        Some("false")
    );
    assert_eq!(key("POLYAXON_WATCH_CLUSTER").as_deref(), Some("true"));
    assert_eq!(key("POLYAXON_SINGLE_NAMESPACE").as_deref(), Some("false"));
    assert_eq!(
        key("POLYAXON_ADDITIONAL_NAMESPACES").as_deref(),
        Some(r#"["runs-a","runs-b"]"#)
    );
    // The platform chart has no executor refresh interval.
    let platform = render("");
    assert_eq!(
        cm(
            &platform,
            &name("agent-config"),
            "POLYAXON_AGENT_EXECUTOR_REFRESH_INTERVAL"
        ),
        None
    );
    // Keys by chart version: the finalizer switches from 2.8.1, the
    // namespaces from 2.1.0.
    let at = |version: &str| {
        try_render_with(
            "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\n",
            version,
        )
        .unwrap()
    };
    let m_280 = at("2.8.0");
    assert_eq!(
        cm(
            &m_280,
            &name("agent-config"),
            "POLYAXON_ENABLE_STATUS_FINALIZERS"
        ),
        None
    );
    assert_eq!(
        cm(&m_280, &name("agent-config"), "POLYAXON_SINGLE_NAMESPACE").as_deref(),
        Some("true")
    );
    let m_200 = at("2.0.0");
    assert_eq!(
        cm(&m_200, &name("agent-config"), "POLYAXON_SINGLE_NAMESPACE"),
        None
    );
    assert_eq!(
        cm(
            &m_200,
            &name("agent-config"),
            "POLYAXON_MAX_CONCURRENT_RECONCILES"
        )
        .as_deref(),
        Some("8")
    );
}

#[test]
fn the_agent_token_is_copied_into_each_additional_namespace() {
    let m = render(
        "deploymentChart: agent\nnamespace: ml\nagent:\n  instance: a.b.c\n  token: tok-123\n  additionalNamespaces: [ml-runs]\n",
    );
    let copies: Vec<_> = all(&m, "Secret")
        .filter(|o| o.name() == name("agent-secret"))
        .map(|o| o.namespace().map(String::from))
        .collect();
    assert_eq!(
        copies,
        [Some("ml".to_string()), Some("ml-runs".to_string())]
    );
    // Not before chart 2.1.0.
    let old = try_render_with(
        "deploymentChart: agent\nagent: {instance: a.b.c, token: t, additionalNamespaces: [ml-runs]}\n",
        "2.0.0",
    )
    .unwrap();
    assert_eq!(
        all(&old, "Secret")
            .filter(|o| o.name() == name("agent-secret"))
            .count(),
        1
    );
}

#[test]
fn the_common_config_names_the_platform_secret_and_the_chart_revision() {
    let m = agent("");
    let key = |k: &str| cm(&m, &name("config"), k);
    assert_eq!(
        key("POLYAXON_K8S_APP_SECRET_NAME"),
        Some(name("platform-secret"))
    );
    assert_eq!(key("POLYAXON_CHART_REVISION").as_deref(), Some("1"));
    assert_eq!(key("POLYAXON_CHART_VERSION").as_deref(), Some("2.18.0"));
    assert_eq!(
        key("POLYAXON_PLATFORM_HOST").as_deref(),
        Some("http://plx-polyaxon-gateway.polyaxon.svc.cluster.local:80")
    );
    assert_eq!(key("POLYAXON_DEBUG"), None, "only the containers' env");
    let m = agent("includeChartRevision: false\n");
    assert_eq!(cm(&m, &name("config"), "POLYAXON_CHART_REVISION"), None);
}

#[test]
fn limits_apply_by_default_from_chart_2_13_3_and_the_streams_probes() {
    let limits = |version: &str| {
        let m = try_render_with(
            "deploymentChart: agent\nagent: {instance: a.b.c, token: t}\n",
            version,
        )
        .unwrap();
        container(&m, "Deployment", &name("agent"))["resources"]["limits"].clone()
    };
    assert_eq!(limits("2.12.0"), Value::Null);
    assert_eq!(limits("2.15.1"), json!({"cpu": "500m", "memory": "2000Mi"}));
    let m = agent("limitResources: false\n");
    assert!(
        container(&m, "Deployment", &name("agent"))["resources"]
            .get("limits")
            .is_none()
    );

    // The 2.x agent has no probes (the charts' `agent.enableHealthChecks`
    // is off); the streams server is probed every 20 s.
    let m = agent("allowedHosts: [polyaxon.acme.com]\n");
    let agent_c = container(&m, "Deployment", &name("agent"));
    assert!(agent_c.get("livenessProbe").is_none());
    let streams = container(&m, "Deployment", &name("streams"));
    let probe = &streams["readinessProbe"];
    assert_eq!(probe["httpGet"]["port"], 8000);
    assert_eq!(probe["initialDelaySeconds"], 20);
    assert_eq!(probe["periodSeconds"], 20);
    assert_eq!(
        probe["httpGet"]["httpHeaders"][0],
        json!({"name": "Host", "value": name("streams")})
    );
    assert_eq!(streams["ports"], json!([{"containerPort": 8000}]));
}

#[test]
fn ingress_path_type_and_extra_paths() {
    let m = agent(
        "ingress:\n  enabled: true\n  pathType: Exact\n  extraPaths:\n  - {path: /docs, backend: {service: {name: docs, port: {number: 8080}}}}\n",
    );
    let paths = get(&m, "Ingress", &name("ingress"))["spec"]["rules"][0]["http"]["paths"].clone();
    assert_eq!(paths[0]["pathType"], "Exact");
    assert_eq!(paths[1]["path"], "/docs");
    assert_eq!(paths[1]["pathType"], "Exact");
    assert_eq!(
        paths[1]["backend"]["service"],
        json!({"name": "docs", "port": {"number": 8080}})
    );
    // Without a pathType: Prefix, or ImplementationSpecific for a wildcard
    // path, which `Prefix` cannot express.
    let m = agent("ingress: {enabled: true, path: '/*'}\n");
    assert_eq!(
        get(&m, "Ingress", &name("ingress"))["spec"]["rules"][0]["http"]["paths"][0]["pathType"],
        "ImplementationSpecific"
    );
}
