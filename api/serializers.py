"""What the API prints. Field help texts are the schema's descriptions
(Vietnamese), read by the people who connect another system."""

from rest_framework import serializers


class RoleSerializer(serializers.Serializer):
    agency_id = serializers.IntegerField(help_text="Mã (id) đơn vị.")
    role = serializers.CharField(help_text="Vai trò tại đơn vị: drafter, head, reviewer, admin.")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(help_text="Tên đăng nhập.")
    full_name = serializers.CharField(help_text="Họ tên, hoặc tên tài khoản hệ thống.")
    roles = RoleSerializer(many=True, help_text="Các vai trò của tài khoản tại các đơn vị.")
