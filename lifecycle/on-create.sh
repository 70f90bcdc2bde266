#!/bin/bash
# on-create: runs once per jupyter_ext home, at the first start of the Jupyter server
# (SageMaker's OnCreate). Re-run it by hand with `jupyter-ext lifecycle run on-create`.
#
# It installs extra packages into the environment kernels run in and registers a kernel
# for that environment. Settings come from the environment, e.g.
#   jupyter-ext lifecycle configure --env EXTRA_PACKAGES="tabulate rich" --env KERNEL_NAME=studio
#
#   EXTRA_PACKAGES       pip requirement specifiers, separated by spaces (default: none)
#   KERNEL_NAME          the kernel to register (default: studio)
#   KERNEL_DISPLAY_NAME  its name in the launcher (default: Python (studio))
set -euo pipefail

# The runner sets JUPYTER_EXT_PYTHON to the server's Python and puts its bin folder first on PATH.
PYTHON="${JUPYTER_EXT_PYTHON:-python3}"
KERNEL_NAME="${KERNEL_NAME:-studio}"

if [ -n "${EXTRA_PACKAGES:-}" ]; then
    echo "Installing into $("$PYTHON" -c 'import sys; print(sys.prefix)'): $EXTRA_PACKAGES"
    # One word per requirement, so no quotes around the list.
    # shellcheck disable=SC2086
    "$PYTHON" -m pip install --quiet --disable-pip-version-check $EXTRA_PACKAGES
fi

# With the environment on-start gives kernels, so a re-run by hand keeps the kernel's settings.
env_args=(--env JUPYTER_EXT_HOME "${JUPYTER_EXT_HOME:-}")
for variable in $(compgen -e); do
    if [[ "$variable" == KERNEL_ENV_* ]]; then
        env_args+=(--env "${variable#KERNEL_ENV_}" "${!variable}")
    fi
done
"$PYTHON" -m ipykernel install --user --name "$KERNEL_NAME" \
    --display-name "${KERNEL_DISPLAY_NAME:-Python (studio)}" "${env_args[@]}"
