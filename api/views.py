"""Endpoints that belong to no one app's data: who is calling."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.scope import user_scope

from .serializers import MeSerializer


class MeView(APIView):
    @extend_schema(summary="Tài khoản đang gọi API và các vai trò của nó", responses=MeSerializer, tags=["Tài khoản"])
    def get(self, request: Request) -> Response:
        user = request.user
        scope = user_scope(user)
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": user.get_full_name() or user.get_username(),
            "roles": [{"agency_id": agency, "role": role} for agency, role, _, _ in scope.roles],
        }
        return Response(MeSerializer(data).data)
