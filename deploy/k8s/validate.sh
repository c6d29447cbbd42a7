#!/usr/bin/env bash
# `make k8s-validate`: render every kustomize overlay and validate every document offline, with no
# cluster and no Docker. Fails (exit 1) on any error. Decisions: docs/adr/0012-kubernetes.md.
#
#   deploy/k8s/validate.sh                        # every overlay in deploy/k8s/overlays/
#   deploy/k8s/validate.sh --out DIR OVERLAY...   # chosen overlay directories; rendered YAML in DIR
#
# Rendering: $KUSTOMIZE if set; else the pinned kustomize in var/tools/bin if it was installed
# before; else `kubectl kustomize` where kubectl exists; else the pinned kustomize is installed with
# `go install` (Go module proxy) into var/tools/bin and used from then on. USE_KUBECTL=0 skips kubectl.
# Validation (deploy/k8s/validate.py): built-in kinds against the Kubernetes schemas shipped by
# PyPI kubernetes-validate (strict, each version in K8S_VERSIONS), KafkaTopic against
# deploy/k8s/schemas/kafkatopic-v1beta2.json with check-jsonschema.
set -euo pipefail

K8S_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$K8S_DIR/../.." && pwd)"
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.1}"
KUBERNETES_VALIDATE_VERSION="${KUBERNETES_VALIDATE_VERSION:-1.37.0}"
# The oldest Kubernetes the manifests support and the newest the validator knows.
K8S_VERSIONS="${K8S_VERSIONS:-1.30.0 1.37.0}"
TOOLS="$REPO_ROOT/var/tools"
UV="${UV:-uv}"

out="$REPO_ROOT/var/k8s/rendered"
overlays=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) overlays+=("$1"); shift ;;
  esac
done
if [ ${#overlays[@]} -eq 0 ]; then
  for dir in "$K8S_DIR"/overlays/*/; do overlays+=("${dir%/}"); done
fi

log() { echo "k8s-validate: $*" >&2; }

# Prints the command that renders a kustomization directory (as words, for an array).
kustomize_command() {
  if [ -n "${KUSTOMIZE:-}" ]; then
    echo "$KUSTOMIZE build"
  elif [ -x "$TOOLS/bin/kustomize" ] && [ "$(cat "$TOOLS/bin/kustomize.version" 2>/dev/null)" = "$KUSTOMIZE_VERSION" ]; then
    echo "$TOOLS/bin/kustomize build"
  elif [ "${USE_KUBECTL:-1}" = 1 ] && command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
    echo "kubectl kustomize"
  elif command -v go >/dev/null 2>&1; then
    log "installing kustomize $KUSTOMIZE_VERSION into var/tools/bin (go install, once)"
    mkdir -p "$TOOLS/bin"
    GOBIN="$TOOLS/bin" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
    echo "$KUSTOMIZE_VERSION" > "$TOOLS/bin/kustomize.version"
    echo "$TOOLS/bin/kustomize build"
  else
    log "no kustomize: set KUSTOMIZE, install kubectl, or install Go so that kustomize can be built"
    return 1
  fi
}

read -r -a render <<< "$(kustomize_command)"
mkdir -p "$out"
rendered=()
status=0
for overlay in "${overlays[@]}"; do
  name="$(basename "$overlay")"
  target="$out/$name.yaml"
  if "${render[@]}" "$overlay" > "$target.tmp" 2> "$target.err"; then
    mv "$target.tmp" "$target"
    rendered+=("$target")
    log "rendered $overlay -> ${target#"$REPO_ROOT"/} (${render[*]})"
  else
    log "FAILED to render $overlay:"
    cat "$target.err" >&2
    rm -f "$target.tmp"
    status=1
  fi
  rm -f "$target.err"
done
[ ${#rendered[@]} -gt 0 ] || exit 1

versions=()
for version in $K8S_VERSIONS; do versions+=(--kubernetes-version "$version"); done
cd "$REPO_ROOT"
# kubernetes-validate joins the project's environment (which has check-jsonschema and PyYAML)
# for this run only, until it is a dev dependency in pyproject.toml.
"$UV" run --frozen --quiet --with "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" \
  python "$K8S_DIR/validate.py" "${versions[@]}" "${rendered[@]}" || status=1
exit $status
