"""The conformance validator: reads one JSON request per line on stdin and
answers one JSON line on stdout, so one process (and one load of the
botocore models) serves a whole jest file.

  {"id": 1, "cmd": "validate", "service": "ecs", "operation": "ListClusters",
   "status": 200, "headers": {...}, "body": "<base64>"}
      -> {"id": 1, "problems": ["clusterArns[0]: expected a string, got number 3", ...]}
  {"id": 2, "cmd": "paginator", "service": "ecs", "operation": "ListClusters"}
      -> {"id": 2, "paginator": {"input_token": "nextToken", ...} | null}
  {"id": 3, "cmd": "operations", "service": "ecs"} -> {"id": 3, "operations": [...]}

Each response is checked twice: by this validator's walk of the botocore
shapes (strict: undeclared members, required members, types, enums), and by
botocore's own response parser (which must read it, and read the same error
code).
"""

import base64
import io
import json
import sys
import traceback

import botocore.session
from botocore import parsers
from botocore.awsrequest import HeadersDict
from botocore.exceptions import UnknownServiceError
from botocore.response import StreamingBody

from protocols import check_response

session = botocore.session.get_session()
models = {}


def model(service):
    if service not in models:
        models[service] = session.get_service_model(service)
    return models[service]


def validate(request):
    service = model(request["service"])
    operation = service.operation_model(request["operation"])
    headers = {k.lower(): v for k, v in request["headers"].items()}
    body = base64.b64decode(request["body"])
    status = request["status"]
    problems = check_response(service, operation, status, headers, body)
    problems.extend(botocore_reading(service, operation, status, headers, body))
    return problems


def botocore_reading(service, operation, status, headers, body):
    """What botocore's own parser makes of the response: it must read it without error."""
    parser = parsers.create_parser(service.protocol)
    streaming = status < 300 and operation.has_streaming_output
    response = {
        "status_code": status,
        "headers": HeadersDict(headers),
        "body": StreamingBody(io.BytesIO(body), len(body)) if streaming else body,
        "context": {"operation_name": operation.name},
    }
    try:
        parsed = parser.parse(response, operation.output_shape)
    except Exception as err:  # botocore raises many kinds; any is a finding
        return [f"botocore's {service.protocol} parser cannot read the response: {type(err).__name__}: {err}"]
    if status >= 300:
        error = parsed.get("Error", {})
        if not error.get("Code"):
            return ["botocore reads no error code from the response"]
        if operation.http.get("method") != "HEAD" and not error.get("Message"):
            return [f"botocore reads error {error['Code']} without a message"]
    return []


def paginator(request):
    try:
        config = session.get_paginator_model(request["service"]).get_paginator(request["operation"])
    except (ValueError, UnknownServiceError):
        return None
    return dict(config)


def answer(request):
    cmd = request.get("cmd", "validate")
    if cmd == "validate":
        return {"problems": validate(request)}
    if cmd == "paginator":
        return {"paginator": paginator(request)}
    if cmd == "operations":
        return {"operations": list(model(request["service"]).operation_names)}
    raise ValueError(f"unknown cmd {cmd!r}")


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            reply = answer(request)
        except Exception as err:  # report, keep serving the other requests
            reply = {"error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc()}
        reply["id"] = request.get("id")
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
