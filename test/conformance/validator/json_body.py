"""A JSON document (awsJson1_0/1_1 bodies, restJson1 bodies) checked against
a botocore shape: every member declared, required members present, types,
timestamps as epoch seconds, enums within the model's enum."""

from values import FLOAT_TYPES, INTEGER_TYPES, base64_problem, enum_problem, timestamp_text_problem

MAX_PROBLEMS = 50


def wire_name(name, member):
    return member.serialization.get("name", name)


def check_json(shape, value, path, problems):
    if len(problems) >= MAX_PROBLEMS:
        return
    at = path or "(body)"
    if value is None:
        problems.append(f"{at}: null (AWS leaves absent members out)")
        return
    kind = shape.type_name
    if kind == "structure":
        check_structure(shape, value, path, problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{at}: expected a list ({shape.name}), got {type_name(value)}")
            return
        for i, item in enumerate(value):
            check_json(shape.member, item, f"{path}[{i}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{at}: expected a map ({shape.name}), got {type_name(value)}")
            return
        for key, item in value.items():
            problem = enum_problem(shape.key, key, f"{at} key")
            if problem:
                problems.append(problem)
            check_json(shape.value, item, f"{path}.{key}" if path else key, problems)
    else:
        problem = scalar_problem(shape, value, at)
        if problem:
            problems.append(problem)


def check_structure(shape, value, path, problems):
    at = path or "(body)"
    if shape.metadata.get("document"):
        return
    if not isinstance(value, dict):
        problems.append(f"{at}: expected a structure ({shape.name}), got {type_name(value)}")
        return
    members = {wire_name(n, m): (n, m) for n, m in shape.members.items()}
    for key in value:
        if key not in members:
            problems.append(f"{join(path, key)}: member not declared by {shape.name}")
    for name in shape.required_members:
        if shape.members[name].serialization.get("location"):
            continue
        key = wire_name(name, shape.members[name])
        if key not in value:
            problems.append(f"{join(path, key)}: required by {shape.name} but missing")
    if shape.metadata.get("union") and len([k for k in value if k in members]) != 1:
        problems.append(f"{at}: union {shape.name} must set exactly one member, got {sorted(value)}")
    for key, item in value.items():
        if key in members:
            check_json(members[key][1], item, join(path, key), problems)


def scalar_problem(shape, value, at):
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            return f"{at}: expected a string, got {type_name(value)} {value!r}"
        return enum_problem(shape, value, at)
    if kind in INTEGER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{at}: expected an integer ({shape.name}), got {type_name(value)} {value!r}"
        return None
    if kind in FLOAT_TYPES:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{at}: expected a number, got {type_name(value)} {value!r}"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{at}: expected a boolean, got {type_name(value)} {value!r}"
    if kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", "unixTimestamp")
        if fmt == "unixTimestamp":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"{at}: timestamp must be epoch seconds as a number, got {type_name(value)} {value!r}"
            if value > 1e11:
                return f"{at}: timestamp {value} looks like milliseconds, not epoch seconds"
            return None
        if not isinstance(value, str):
            return f"{at}: timestamp must be a {fmt} string, got {type_name(value)}"
        return timestamp_text_problem(value, fmt, at)
    if kind == "blob":
        if not isinstance(value, str):
            return f"{at}: blob must be a base64 string, got {type_name(value)}"
        return base64_problem(value, at)
    return None


def join(path, key):
    return f"{path}.{key}" if path else key


def type_name(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "structure"
    return type(value).__name__
