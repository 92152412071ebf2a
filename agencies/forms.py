from django import forms

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class AgencyImportForm(forms.Form):
    file = forms.FileField(
        label="Tệp danh sách đơn vị (.csv hoặc .xlsx)",
        help_text="Dòng đầu là tiêu đề cột, như trong tệp xuất mẫu.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Chỉ nhận tệp .csv hoặc .xlsx.")
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("Tệp lớn hơn 5 MB.")
        head = upload.read(4)
        upload.seek(0)
        # XLSX is a ZIP container; checking the content, not only the name.
        if name.endswith(".xlsx") and head != b"PK\x03\x04":
            raise forms.ValidationError("Tệp .xlsx không hợp lệ (nội dung không phải Excel).")
        if name.endswith(".csv") and b"\x00" in upload.read(2048):
            upload.seek(0)
            raise forms.ValidationError("Tệp .csv không hợp lệ (có dữ liệu nhị phân).")
        upload.seek(0)
        return upload


class UserImportForm(forms.Form):
    """The file only; its content is checked by agencies.onboarding.read_table."""

    file = forms.FileField(
        label="Tệp danh sách người dùng (.csv hoặc .xlsx)",
        help_text="Cột: Họ tên, Thư điện tử, Mã đơn vị, Vai trò. Tối đa 5 MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Chỉ nhận tệp .csv hoặc .xlsx.")
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("Tệp lớn hơn 5 MB.")
        return upload
