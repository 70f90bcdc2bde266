#!/bin/bash
# on-start: runs at every start of the Jupyter server, in the background (SageMaker's
# OnStart). Run it now with `jupyter-ext lifecycle run on-start`.
#
# 1. exports environment variables to kernels: every KERNEL_ENV_<NAME>=value this script
#    gets becomes <NAME>=value in the kernel's spec (with JUPYTER_EXT_HOME, so kernels
#    share the server's store);
# 2. points sparkmagic at Livy (LIVY_URL, default: jupyter-ext's own gateway), when the
#    `jupyter-ext livy` commands are installed;
# 3. turns on idle-kernel culling in jupyter_server's own settings (CULL_IDLE_TIMEOUT
#    seconds, default 3600; 0 turns it off), and optionally stops an idle server
#    (SHUTDOWN_IDLE_SERVER_AFTER seconds). Server settings take effect at the next start.
#
# Set the variables with e.g.
#   jupyter-ext lifecycle configure --env KERNEL_ENV_MLFLOW_TRACKING_URI=http://127.0.0.1:5000 \
#       --env LIVY_URL=http://livy.example.com:8998 --env CULL_IDLE_TIMEOUT=1800
set -euo pipefail

PYTHON="${JUPYTER_EXT_PYTHON:-python3}"
KERNEL_NAME="${KERNEL_NAME:-studio}"

# 1. Environment variables for kernels.
env_args=(--env JUPYTER_EXT_HOME "${JUPYTER_EXT_HOME:-}")
for variable in $(compgen -e); do
    if [[ "$variable" == KERNEL_ENV_* ]]; then
        env_args+=(--env "${variable#KERNEL_ENV_}" "${!variable}")
    fi
done
"$PYTHON" -m ipykernel install --user --name "$KERNEL_NAME" \
    --display-name "${KERNEL_DISPLAY_NAME:-Python (studio)}" "${env_args[@]}"

# 2. sparkmagic's config (~/.sparkmagic/config.json), only where `jupyter-ext livy` exists.
if jupyter-ext livy --help >/dev/null 2>&1; then
    jupyter-ext livy configure ${LIVY_URL:+--url "$LIVY_URL"}
else
    echo "jupyter-ext livy is not installed here; sparkmagic's config is left as it is"
fi

# 3. Idle culling, merged into the user's jupyter_server_config.json.
"$PYTHON" - "${CULL_IDLE_TIMEOUT:-3600}" "${SHUTDOWN_IDLE_SERVER_AFTER:-0}" <<'PY'
import json
import sys
from pathlib import Path

from jupyter_core.paths import jupyter_config_dir

cull_after, shutdown_after = int(sys.argv[1]), int(sys.argv[2])
path = Path(jupyter_config_dir()) / "jupyter_server_config.json"
config = json.loads(path.read_text()) if path.exists() else {}
config.setdefault("MappingKernelManager", {}).update(
    cull_idle_timeout=cull_after, cull_interval=300, cull_connected=False, cull_busy=False)
if shutdown_after:
    config.setdefault("ServerApp", {})["shutdown_no_activity_timeout"] = shutdown_after
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(json.dumps(config, indent=2) + "\n")
print(f"Idle kernels are shut down after {cull_after} s (0: never), from the next server start; see {path}")
PY
