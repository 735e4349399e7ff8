//! The data of the Redis subchart's three ConfigMaps: the server
//! configuration, the health checks the probes run, and the start scripts
//! the containers run. The images read these files, so they are the
//! subchart's byte for byte (apart from the names and the namespace they
//! mention); `@NAME@` marks what a render fills in.

use std::collections::BTreeMap;

const REDIS_CONF: &str = "# User-supplied common configuration:
# Enable AOF https://redis.io/topics/persistence#append-only-file
appendonly yes
# Disable RDB persistence, AOF persistence already enabled.
save \"\"
# End of common configuration";

const ROLE_CONF: &str = "dir /data
# User-supplied @ROLE@ configuration:
rename-command FLUSHDB \"\"
rename-command FLUSHALL \"\"
# End of @ROLE@ configuration";

/// `redis-configuration`: AOF persistence, FLUSHDB/FLUSHALL disabled.
pub fn configuration() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("redis.conf".into(), REDIS_CONF.into()),
        ("master.conf".into(), ROLE_CONF.replace("@ROLE@", "master")),
        (
            "replica.conf".into(),
            ROLE_CONF.replace("@ROLE@", "replica"),
        ),
    ])
}

const PING: &str = r#"#!/bin/bash

[[ -f $@SECRET@_FILE ]] && export @SECRET@="$(< "${@SECRET@_FILE}")"
[[ -n "$@SECRET@" ]] && export REDISCLI_AUTH="$@SECRET@"
response=$(
  timeout -s @SIGNAL@ $1 \
  redis-cli \
    -h @HOST@ \
    -p @PORT@ \
    ping
)
if [ "$?" -eq "124" ]; then
  echo "Timed out"
  exit 1
fi
@CHECK@
  echo "$response"
  exit 1
fi"#;

const BOTH: &str = r#"script_dir="$(dirname "$0")"
exit_status=0
"$script_dir/ping_@KIND@_local.sh" $1 || exit_status=$?
"$script_dir/ping_@KIND@_master.sh" $1 || exit_status=$?
exit $exit_status"#;

/// The check of a replica's probes (`ping_<kind>_local_and_master.sh`):
/// its own server and its master's, every subchart version alike.
pub fn local_and_master(kind: &str) -> String {
    BOTH.replace("@KIND@", kind)
}

/// `redis-health`: the ping scripts of the probes. The signal `timeout`
/// sends differs between subchart versions (3 in 17.6.0, 15 in 20.1.5).
pub fn health(signal: u8) -> BTreeMap<String, String> {
    let local = ("REDIS_PASSWORD", "localhost", "$REDIS_PORT");
    let master = (
        "REDIS_MASTER_PASSWORD",
        "$REDIS_MASTER_HOST",
        "$REDIS_MASTER_PORT_NUMBER",
    );
    let ping = |(secret, host, port): (&str, &str, &str), check: &str| {
        PING.replace("@SECRET@", secret)
            .replace("@SIGNAL@", &signal.to_string())
            .replace("@HOST@", host)
            .replace("@PORT@", port)
            .replace("@CHECK@", check)
    };
    let first_word = "responseFirstWord=$(echo $response | head -n1 | awk '{print $1;}')\n";
    let live_local = format!(
        "{first_word}if [ \"$response\" != \"PONG\" ] && [ \"$responseFirstWord\" != \"LOADING\" ] && [ \"$responseFirstWord\" != \"MASTERDOWN\" ]; then"
    );
    let live_master = format!(
        "{first_word}if [ \"$response\" != \"PONG\" ] && [ \"$responseFirstWord\" != \"LOADING\" ]; then"
    );
    let ready = "if [ \"$response\" != \"PONG\" ]; then";
    BTreeMap::from([
        ("ping_readiness_local.sh".into(), ping(local, ready)),
        ("ping_liveness_local.sh".into(), ping(local, &live_local)),
        ("ping_readiness_master.sh".into(), ping(master, ready)),
        ("ping_liveness_master.sh".into(), ping(master, &live_master)),
        (
            "ping_readiness_local_and_master.sh".into(),
            local_and_master("readiness"),
        ),
        (
            "ping_liveness_local_and_master.sh".into(),
            local_and_master("liveness"),
        ),
    ])
}

const START_MASTER: &str = r#"#!/bin/bash

[[ -f $REDIS_PASSWORD_FILE ]] && export REDIS_PASSWORD="$(< "${REDIS_PASSWORD_FILE}")"
if [[ -f /opt/bitnami/redis/mounted-etc/master.conf ]];then
    cp /opt/bitnami/redis/mounted-etc/master.conf /opt/bitnami/redis/etc/master.conf
fi
if [[ -f /opt/bitnami/redis/mounted-etc/redis.conf ]];then
    cp /opt/bitnami/redis/mounted-etc/redis.conf /opt/bitnami/redis/etc/redis.conf
fi
ARGS=("--port" "${REDIS_PORT}")
@AUTH@
ARGS+=("--include" "/opt/bitnami/redis/etc/redis.conf")
ARGS+=("--include" "/opt/bitnami/redis/etc/master.conf")
exec redis-server "${ARGS[@]}"
"#;

const START_REPLICA: &str = r#"#!/bin/bash

get_port() {
    hostname="$1"
    type="$2"

    port_var=$(echo "${hostname^^}_SERVICE_PORT_$type" | sed "s/-/_/g")
    port=${!port_var}

    if [ -z "$port" ]; then
        case $type in
            "SENTINEL")
                echo 26379
                ;;
            "REDIS")
                echo 6379
                ;;
        esac
    else
        echo $port
    fi
}

get_full_hostname() {
    hostname="$1"
@HOSTNAME@
}

REDISPORT=$(get_port "$HOSTNAME" "REDIS")
@HEADLESS@
[[ -f $REDIS_PASSWORD_FILE ]] && export REDIS_PASSWORD="$(< "${REDIS_PASSWORD_FILE}")"
[[ -f $REDIS_MASTER_PASSWORD_FILE ]] && export REDIS_MASTER_PASSWORD="$(< "${REDIS_MASTER_PASSWORD_FILE}")"
if [[ -f /opt/bitnami/redis/mounted-etc/replica.conf ]];then
    cp /opt/bitnami/redis/mounted-etc/replica.conf /opt/bitnami/redis/etc/replica.conf
fi
if [[ -f /opt/bitnami/redis/mounted-etc/redis.conf ]];then
    cp /opt/bitnami/redis/mounted-etc/redis.conf /opt/bitnami/redis/etc/redis.conf
fi

echo "" >> /opt/bitnami/redis/etc/replica.conf
echo "replica-announce-port $REDISPORT" >> /opt/bitnami/redis/etc/replica.conf
echo "replica-announce-ip $(get_full_hostname "$HOSTNAME")" >> /opt/bitnami/redis/etc/replica.conf
ARGS=("--port" "${REDIS_PORT}")
ARGS+=("--replicaof" "${REDIS_MASTER_HOST}" "${REDIS_MASTER_PORT_NUMBER}")
@AUTH@
ARGS+=("--include" "/opt/bitnami/redis/etc/redis.conf")
ARGS+=("--include" "/opt/bitnami/redis/etc/replica.conf")
exec redis-server "${ARGS[@]}"
"#;

/// `redis-scripts`: how the master (and with replication, the replicas)
/// start. `headless` is the FQDN of the headless Service, which 20.1.5
/// writes into the replica script (17.6.0 reads it from the environment);
/// `auth` makes the servers require the password.
pub fn scripts(auth: bool, replicas: bool, headless: Option<&str>) -> BTreeMap<String, String> {
    let master_auth = if auth {
        "ARGS+=(\"--requirepass\" \"${REDIS_PASSWORD}\")\nARGS+=(\"--masterauth\" \"${REDIS_PASSWORD}\")"
    } else {
        "ARGS+=(\"--protected-mode\" \"no\")"
    };
    let mut data = BTreeMap::from([(
        "start-master.sh".to_string(),
        START_MASTER.replace("@AUTH@", master_auth),
    )]);
    if replicas {
        let replica_auth = if auth {
            "ARGS+=(\"--requirepass\" \"${REDIS_PASSWORD}\")\nARGS+=(\"--masterauth\" \"${REDIS_MASTER_PASSWORD}\")"
        } else {
            "ARGS+=(\"--protected-mode\" \"no\")"
        };
        let (hostname, headless_line) = match headless {
            Some(fqdn) => (
                "    full_hostname=\"${hostname}.${HEADLESS_SERVICE}\"\n    echo \"${full_hostname}\"".to_string(),
                format!("HEADLESS_SERVICE=\"{fqdn}\"\n"),
            ),
            None => (
                "    echo \"${hostname}.${HEADLESS_SERVICE}\"".to_string(),
                String::new(),
            ),
        };
        data.insert(
            "start-replica.sh".into(),
            START_REPLICA
                .replace("@HOSTNAME@", &hostname)
                .replace("@HEADLESS@", &headless_line)
                .replace("@AUTH@", replica_auth),
        );
    }
    data
}
