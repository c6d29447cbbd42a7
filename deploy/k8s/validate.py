"""Validate rendered Kubernetes manifests offline; called by deploy/k8s/validate.sh.

    python deploy/k8s/validate.py --kubernetes-version 1.30.0 [--kubernetes-version ...] FILE...

Every document of every FILE (multi-document YAML, as `kustomize build` prints it) must pass:
- built-in kinds: the Kubernetes JSON schemas that PyPI `kubernetes-validate` ships, strict
  (unknown fields refused), for each version given. A kind it has no schema for is an error, not
  the warning the `kubernetes-validate` command prints, so nothing passes unchecked;
- KafkaTopic (kafka.strimzi.io/v1beta2): deploy/k8s/schemas/kafkatopic-v1beta2.json, with
  `check-jsonschema`;
- every document: apiVersion, kind and metadata.name present, no (kind, namespace, name) twice
  in one file.
Prints one line per problem and exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

HERE = Path(__file__).resolve().parent
CUSTOM_SCHEMAS = {("kafka.strimzi.io/v1beta2", "KafkaTopic"): HERE / "schemas" / "kafkatopic-v1beta2.json"}


def documents(path: Path) -> list[dict[str, Any]]:
    loaded = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    for doc in loaded:
        if not isinstance(doc, dict):
            raise SystemExit(f"{path}: a document is not a mapping: {doc!r:.80}")
    return loaded


def describe(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata") or {}
    namespace = meta.get("namespace")
    return f"{doc.get('kind')}/{(namespace + '/') if namespace else ''}{meta.get('name')}"


def check_builtin(doc: dict[str, Any], versions: list[str]) -> list[str]:
    problems = []
    for version in versions:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except ValidationError as error:
            where = ".".join(str(part) for part in error.path) or "(root)"
            problems.append(f"{describe(doc)}: Kubernetes {version}: {where}: {error.message}")
        except SchemaNotFoundError as error:
            problems.append(f"{describe(doc)}: {error.message}; add a schema to deploy/k8s/schemas")
    return problems


def check_custom(docs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Each custom resource against its schema with check-jsonschema, one run per schema."""
    problems: list[str] = []
    by_schema: dict[Path, list[tuple[str, dict[str, Any]]]] = {}
    for origin, doc in docs:
        by_schema.setdefault(CUSTOM_SCHEMAS[(doc["apiVersion"], doc["kind"])], []).append((origin, doc))
    with tempfile.TemporaryDirectory(prefix="k8s-validate-") as tmp:
        for schema, group in by_schema.items():
            files = []
            for index, (_origin, doc) in enumerate(group):
                name = f"{index:03d}-{describe(doc).replace('/', '_')}.json"
                target = Path(tmp) / name
                target.write_text(json.dumps(doc, indent=1, default=str))
                files.append(str(target))
            result = subprocess.run(
                [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), *files],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                output = (result.stdout + result.stderr).strip()
                problems.append(f"{schema.name}: check-jsonschema failed:\n{output}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kubernetes-version", "-k", action="append", required=True)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)

    problems: list[str] = []
    custom: list[tuple[str, dict[str, Any]]] = []
    count = 0
    for path in args.files:
        seen: set[tuple[str, str, str]] = set()  # one file is one rendered overlay
        for doc in documents(path):
            count += 1
            meta = doc.get("metadata") or {}
            if not doc.get("apiVersion") or not doc.get("kind") or not meta.get("name"):
                problems.append(f"{path}: a document without apiVersion, kind or metadata.name")
                continue
            key = (doc["kind"], meta.get("namespace", ""), meta["name"])
            if key in seen:
                problems.append(f"{path}: {describe(doc)} is defined twice")
            seen.add(key)
            if (doc["apiVersion"], doc["kind"]) in CUSTOM_SCHEMAS:
                custom.append((str(path), doc))
            else:
                problems.extend(f"{path}: {p}" for p in check_builtin(doc, args.kubernetes_version))
    problems.extend(check_custom(custom))

    for problem in problems:
        print(f"ERROR {problem}")
    versions = ", ".join(args.kubernetes_version)
    print(
        f"k8s-validate: {count} documents in {len(args.files)} file(s), {len(custom)} custom resources; "
        f"Kubernetes {versions}: {'FAILED, ' + str(len(problems)) + ' problem(s)' if problems else 'ok'}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
