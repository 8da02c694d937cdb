"""Error responses: the code must be one the model declares for the operation,
or one every AWS service can answer; the status must be the modeled one; a
message must be there."""

# AWS's common errors (API reference, "Common Errors"), plus the JSON
# protocols' own: any operation of any service may answer these.
COMMON_ERRORS = {
    "AccessDenied": None,
    "AccessDeniedException": None,
    "IncompleteSignature": None,
    "InternalFailure": 500,
    "InternalServerError": 500,
    "InvalidAction": None,
    "InvalidClientTokenId": 403,
    "InvalidParameterCombination": 400,
    "InvalidParameterValue": 400,
    "InvalidQueryParameter": 400,
    "MalformedQueryString": 404,
    "MissingAction": 400,
    "MissingAuthenticationToken": 403,
    "MissingParameter": 400,
    "NotAuthorized": 400,
    "OptInRequired": 403,
    "RequestExpired": 400,
    "SerializationException": 400,
    "ServiceUnavailable": 503,
    "Throttling": 400,
    "ThrottlingException": 400,
    "UnknownOperationException": 400,
    "UnrecognizedClientException": 403,
    "ValidationError": 400,
    "ValidationException": 400,
}


# S3 models few of its errors per operation; its API reference lists the rest
# ("Error responses: List of error codes"), and any object operation may
# answer these.
S3_DOCUMENTED_ERRORS = {
    "AccessDenied": 403,
    "BucketNotEmpty": 409,
    "EntityTooLarge": 400,
    "InternalError": 500,
    "InvalidArgument": 400,
    "InvalidBucketName": 400,
    "InvalidRequest": 400,
    "InvalidURI": 400,
    "MethodNotAllowed": 405,
    "NoSuchBucket": 404,
    "NoSuchKey": 404,
    "NotImplemented": 501,
}


def service_wide_errors(service_name):
    return S3_DOCUMENTED_ERRORS if service_name == "s3" else {}


def declared_errors(operation):
    """Wire code → (shape, modeled HTTP status or None). The wire code is the
    shape's name unless the model gives another (awsQuery: `TargetGroupNotFound`
    for TargetGroupNotFoundException)."""
    declared = {}
    for shape in operation.error_shapes:
        error = shape.metadata.get("error", {})
        declared[error.get("code", shape.name)] = (shape, error.get("httpStatusCode"))
    return declared


def check_error(operation, status, code, message, problems):
    """Returns the declared error shape of `code`, if any."""
    if not (400 <= status <= 599):
        problems.append(f"error answered with HTTP {status}, not 4xx/5xx")
    if not code:
        problems.append("error carries no code")
        return None
    declared = declared_errors(operation)
    shape = None
    if code in declared:
        shape, modeled_status = declared[code]
    elif code in COMMON_ERRORS:
        modeled_status = COMMON_ERRORS[code]
    elif code in service_wide_errors(operation.service_model.service_name):
        modeled_status = service_wide_errors(operation.service_model.service_name)[code]
    else:
        problems.append(
            f"error code {code!r} is neither declared for {operation.name} nor a common AWS error"
            f" (declared: {', '.join(sorted(declared)) or 'none'})"
        )
        modeled_status = None
    if modeled_status is not None and status != modeled_status:
        problems.append(f"error {code} answered with HTTP {status}; the model says {modeled_status}")
    if not message:
        problems.append(f"error {code} carries no message")
    return shape
