from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from journal.selectors import is_plain_patient


class IsPatient(BasePermission):
    """The API is the patients' app, for plain patient accounts only.

    Staff and superusers are refused even with a patient profile: the selectors widen what
    they can see for the admin, and the patient API must only ever show the caller's own
    data. Clinicians use the admin.
    """

    message = "This API is for patient accounts; clinicians use the admin site."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and is_plain_patient(user) and hasattr(user, "patient")
        )
