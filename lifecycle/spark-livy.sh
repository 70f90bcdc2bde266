#!/usr/bin/env bash
# Spark through Livy at server start: the embedded gateway in the background, and
# sparkmagic (with its PySpark kernel) pointed at it. Call it from on-start.sh, or use a
# cluster's Livy instead:  jupyter-ext livy configure --url http://emr-master:8998
set -euo pipefail
jupyter-ext livy serve --detach --master "${SPARK_MASTER:-local[*]}"
jupyter-ext livy configure --install-kernel --user
