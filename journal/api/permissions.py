from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class IsPatient(BasePermission):
    """The API is the patients' app; clinicians use the admin."""

    message = "This API is for patient accounts; clinicians use the admin site."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and hasattr(user, "patient"))
