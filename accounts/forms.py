from django import forms


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label="Mã 6 chữ số trong ứng dụng xác thực",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={
            "required": "Nhập mã 6 chữ số.",
            "min_length": "Mã gồm đúng 6 chữ số.",
            "max_length": "Mã gồm đúng 6 chữ số.",
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isascii() or not token.isdigit():
            raise forms.ValidationError("Mã gồm đúng 6 chữ số.")
        return token
