#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs nvmx's build and test dependencies from Debian's archive.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
nvmx_deps
linux_source
