"""One raw HTTP response of one operation, checked by the wire protocol the
service's botocore model names: awsJson (json), restJson1 (rest-json),
awsQuery (query) and restXml (rest-xml)."""

import json
import xml.etree.ElementTree as ET

from errors import check_error
from json_body import check_json
from values import text_problem
from xml_body import check_xml, local_name, namespace_of


def check_response(service, operation, status, headers, body):
    protocol = service.protocol
    problems = []
    if protocol == "json":
        check_aws_json(service, operation, status, headers, body, problems)
    elif protocol == "rest-json":
        check_rest_json(operation, status, headers, body, problems)
    elif protocol == "query":
        check_query(service, operation, status, headers, body, problems)
    elif protocol == "rest-xml":
        check_rest_xml(operation, status, headers, body, problems)
    else:
        problems.append(f"the validator does not know protocol {protocol}")
    return problems


# --- awsJson1_0 / awsJson1_1 -------------------------------------------------


def check_aws_json(service, operation, status, headers, body, problems):
    expected_type = f"application/x-amz-json-{service.metadata.get('jsonVersion', '1.0')}"
    if not headers.get("content-type", "").startswith(expected_type):
        problems.append(f"Content-Type is {headers.get('content-type')!r}, not {expected_type}")
    require_request_id(headers, "x-amzn-requestid", problems)
    document = parse_json(body, problems)
    if document is None:
        return
    if status >= 300:
        code = headers.get("x-amzn-errortype") or document.get("__type") or document.get("code") or ""
        if "__type" not in document:
            problems.append("error body has no __type (awsJson names the error there)")
        check_error(operation, status, strip_code(code), message_of(document), problems)
        return
    if status != 200:
        problems.append(f"success answered with HTTP {status}, not 200")
    if operation.output_shape is not None:
        check_json(operation.output_shape, document, "", problems)
    elif document:
        problems.append(f"{operation.name} has no output, yet the body holds {sorted(document)}")


# --- restJson1 ---------------------------------------------------------------


def check_rest_json(operation, status, headers, body, problems):
    require_request_id(headers, "x-amzn-requestid", problems)
    output = operation.output_shape
    if status >= 300:
        document = parse_json(body, problems) if body else {}
        code = headers.get("x-amzn-errortype") or (document or {}).get("__type") or (document or {}).get("code") or ""
        check_error(operation, status, strip_code(code), message_of(document or {}), problems)
        return
    expected = operation.http.get("responseCode", 200)
    has_status_member = output is not None and any(
        m.serialization.get("location") == "statusCode" for m in output.members.values()
    )
    if not has_status_member and status != expected:
        problems.append(f"success answered with HTTP {status}, not {expected}")
    if output is None:
        return
    check_header_members(output, headers, problems, "rfc822")
    payload = output.serialization.get("payload")
    if payload:
        member = output.members[payload]
        if member.type_name == "structure" and body:
            document = parse_json(body, problems)
            if document is not None:
                check_json(member, document, payload, problems)
        return
    body_members = [n for n, m in output.members.items() if not m.serialization.get("location")]
    if not body_members:
        return
    document = parse_json(body, problems)
    if document is None:
        return
    # Members bound to headers or the status line are not body members.
    located = {n for n, m in output.members.items() if m.serialization.get("location")}
    for key in located & set(document):
        problems.append(f"{key}: bound to a header or the status by the model, yet in the body")
    check_json(output, {k: v for k, v in document.items() if k not in located}, "", problems)


# --- awsQuery ----------------------------------------------------------------


def check_query(service, operation, status, headers, body, problems):
    if not headers.get("content-type", "").startswith("text/xml"):
        problems.append(f"Content-Type is {headers.get('content-type')!r}, not text/xml")
    root = parse_xml(body, problems)
    if root is None:
        return
    namespace = service.metadata.get("xmlNamespace", "")
    if status >= 300:
        check_query_error(operation, status, root, problems)
        return
    if status != 200:
        problems.append(f"success answered with HTTP {status}, not 200")
    if local_name(root) != f"{operation.name}Response":
        problems.append(f"root element is <{local_name(root)}>, not <{operation.name}Response>")
    if namespace_of(root) != namespace:
        problems.append(f"root namespace is {namespace_of(root)!r}, not {namespace!r}")
    children = {local_name(c): c for c in root}
    wrapper = operation.output_shape.serialization.get("resultWrapper") if operation.output_shape else None
    expected = {"ResponseMetadata"} | ({wrapper} if wrapper else set())
    for extra in set(children) - expected:
        problems.append(f"<{operation.name}Response> holds an undeclared <{extra}>")
    metadata = children.get("ResponseMetadata")
    request_id = metadata.find(f"{{{namespace}}}RequestId") if metadata is not None else None
    if request_id is None or not (request_id.text or "").strip():
        problems.append("no <ResponseMetadata><RequestId>")
    if wrapper:
        result = children.get(wrapper)
        if result is None:
            problems.append(f"no <{wrapper}>")
        else:
            check_xml(operation.output_shape, result, wrapper, problems)


def check_query_error(operation, status, root, problems):
    if local_name(root) != "ErrorResponse":
        problems.append(f"error root element is <{local_name(root)}>, not <ErrorResponse>")
    ns = namespace_of(root)
    error = root.find(f"{{{ns}}}Error" if ns else "Error")
    if error is None:
        problems.append("no <Error> in <ErrorResponse>")
        return
    fields = {local_name(c): (c.text or "").strip() for c in error}
    code = fields.get("Code", "")
    shape = check_error(operation, status, code, fields.get("Message", ""), problems)
    kind = fields.get("Type")
    if kind not in ("Sender", "Receiver"):
        problems.append(f"<Error><Type> is {kind!r}, not Sender or Receiver")
    elif shape is not None and shape.metadata.get("error", {}).get("senderFault") and kind != "Sender":
        problems.append(f"{code} is the sender's fault in the model, but <Type> is {kind}")
    request_id = [c for c in root if local_name(c) == "RequestId"]
    if not request_id or not (request_id[0].text or "").strip():
        problems.append("no <RequestId> in <ErrorResponse>")


# --- restXml -----------------------------------------------------------------


def check_rest_xml(operation, status, headers, body, problems):
    require_request_id(headers, "x-amz-request-id", problems)
    if status >= 300:
        if not body:
            # HEAD answers carry no body: the status alone must be a modeled error's.
            statuses = {s.metadata.get("error", {}).get("httpStatusCode") for s in operation.error_shapes}
            if status not in statuses and status not in (400, 403, 404, 405, 500, 503):
                problems.append(f"bodiless error answered with HTTP {status}")
            return
        root = parse_xml(body, problems)
        if root is None:
            return
        if local_name(root) != "Error":
            problems.append(f"error root element is <{local_name(root)}>, not <Error>")
        fields = {local_name(c): (c.text or "").strip() for c in root}
        check_error(operation, status, fields.get("Code", ""), fields.get("Message", ""), problems)
        return
    if status != operation.http.get("responseCode", 200):
        problems.append(f"success answered with HTTP {status}, not {operation.http.get('responseCode', 200)}")
    output = operation.output_shape
    if output is None:
        return
    check_header_members(output, headers, problems, "rfc822")
    payload = output.serialization.get("payload")
    if payload:
        member = output.members[payload]
        if member.type_name == "structure" and body:
            root = parse_xml(body, problems)
            if root is not None:
                check_xml(member, root, payload, problems)
        return
    if any(not m.serialization.get("location") for m in output.members.values()):
        root = parse_xml(body, problems)
        if root is not None:
            check_xml(output, root, local_name(root), problems)


# --- shared ------------------------------------------------------------------


def check_header_members(output, headers, problems, timestamp_format):
    for name, member in output.members.items():
        if member.serialization.get("location") != "header":
            continue
        header = member.serialization.get("name", name).lower()
        if header in headers:
            problem = text_problem(member, headers[header], f"header {header} ({name})", timestamp_format)
            if problem:
                problems.append(problem)
        elif name in output.required_members:
            problems.append(f"header {header} ({name}) is required but missing")


def require_request_id(headers, name, problems):
    if not headers.get(name):
        problems.append(f"no {name} header (AWS answers every request with its id)")


def parse_json(body, problems):
    if not body:
        return {}
    try:
        document = json.loads(body)
    except ValueError as err:
        problems.append(f"body is not JSON: {err}")
        return None
    if not isinstance(document, dict):
        problems.append("body is not a JSON object")
        return None
    return document


def parse_xml(body, problems):
    try:
        return ET.fromstring(body)
    except ET.ParseError as err:
        problems.append(f"body is not XML: {err}")
        return None


def strip_code(code):
    """`aws.protocoltests#FooError:http://…` → `FooError`, as botocore reads it."""
    return code.split(":", 1)[0].rsplit("#", 1)[-1]


def message_of(document):
    for key in ("message", "Message", "errorMessage"):
        if isinstance(document.get(key), str) and document[key]:
            return document[key]
    return ""
