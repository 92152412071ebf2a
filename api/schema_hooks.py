"""The refusals every operation may give, in the OpenAPI document: one
postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) so every
endpoint, read or write, documents them without repeating them; an
operation that documents a status itself keeps its own. It also gives every
success response left without a description (drf-spectacular leaves them
empty) a Vietnamese one."""

from __future__ import annotations

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "Lý do, bằng tiếng Việt."}},
    "required": ["detail"],
    "description": "Lời từ chối: một thông báo bằng tiếng Việt.",
}
FIELDS = {
    "type": "object",
    "additionalProperties": {},
    "description": "Lỗi theo từng trường: {tên trường: [thông báo]}; lỗi chung ở non_field_errors "
                   "hoặc detail. Không có gì được ghi.",
}
REFUSALS = {
    "400": ("ValidationErrors", "Dữ liệu hoặc tham số không hợp lệ."),
    "401": ("ErrorDetail", "Chưa xác thực, hoặc khóa API sai/đã thu hồi."),
    "403": ("ErrorDetail", "Không có quyền với đối tượng hoặc thao tác này."),
    "404": ("ErrorDetail", "Không tìm thấy, hoặc ngoài phạm vi được xem."),
    "429": ("ErrorDetail", "Quá nhiều yêu cầu: hãy thử lại sau số giây trong tiêu đề Retry-After."),
}
METHODS = {"get", "post", "put", "patch", "delete"}
SUCCESSES = {
    "200": "Thành công.",
    "201": "Đã tạo.",
    "202": "Đã nhận, đang xử lý.",
    "204": "Thành công; không có nội dung trả về.",
}


def error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", DETAIL)
    schemas.setdefault("ValidationErrors", FIELDS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if isinstance(response, dict) and not str(response.get("description", "")).strip():
                    response["description"] = SUCCESSES.get(str(status), "Thành công.")
            takes_input = bool(operation.get("parameters")) or "requestBody" in operation
            for status, (component, description) in REFUSALS.items():
                if status == "400" and not takes_input:
                    continue
                if status == "404" and "{" not in path and not takes_input:
                    continue
                responses.setdefault(status, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                })
    return result
