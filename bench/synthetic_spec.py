#!/usr/bin/env python3
"""Writes a synthetic OpenAPI document with N operations, built from spec/workspace.yaml by
repeating its operations (and their schemas) under new names, for measuring how
generation time grows with the size of a document.

    python3 bench/synthetic_spec.py 1000 bench/out/synthetic-1000.json
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_spec():
    try:
        import yaml  # type: ignore
    except ImportError:
        sys.exit("synthetic_spec.py needs PyYAML: python3 -m pip install pyyaml")
    return yaml.safe_load((ROOT / "spec" / "workspace.yaml").read_text())


def synthetic(spec, operations):
    per_copy = sum(
        1 for item in spec["paths"].values() for o in item.values()
        if isinstance(o, dict) and "operationId" in o
    )
    copies = max(1, -(-operations // per_copy))
    schemas = spec["components"]["schemas"]
    paths = {}
    new_schemas = {}
    for k in range(copies):
        rename = lambda text: re.sub(r"#/components/schemas/(\w+)", lambda m: f"#/components/schemas/{m.group(1)}{k}", text)
        for name, schema in schemas.items():
            new_schemas[f"{name}{k}"] = json.loads(rename(json.dumps(schema)))
        for path, item in spec["paths"].items():
            new_item = json.loads(rename(json.dumps(item)))
            for method, operation in new_item.items():
                if isinstance(operation, dict) and "operationId" in operation:
                    operation["operationId"] = f"{operation['operationId']}{k}"
                    # One operation shows jobs: the copies start jobs the first one shows.
                    if k > 0:
                        operation.pop("x-job-query", None)
                    # Each copy's batch operations get their own `bulk` command.
                    if "x-fleet" in operation:
                        operation["x-fleet"]["command"] += f"-{k}"
            paths[path.replace("/v2/{project_id}/", f"/v2/{{project_id}}/s{k}/")] = new_item
    keep = dict(list(paths.items()))
    # Trim to exactly `operations` operations.
    count = 0
    trimmed = {}
    for path, item in keep.items():
        ops = {m: o for m, o in item.items() if isinstance(o, dict) and "operationId" in o}
        if count + len(ops) > operations:
            break
        trimmed[path] = item
        count += len(ops)
    document = dict(spec)
    document["paths"] = trimmed
    # The originals stay: shared components (the error response) still refer to them.
    document["components"] = dict(spec["components"], schemas={**schemas, **new_schemas})
    return document


def main():
    operations, out = int(sys.argv[1]), Path(sys.argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(synthetic(load_spec(), operations)))
    print(f"wrote {operations} operations to {out}")


if __name__ == "__main__":
    main()
