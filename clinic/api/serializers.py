from __future__ import annotations

from rest_framework import serializers


class CareTeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="Use with DELETE to remove them")
    email = serializers.EmailField(read_only=True)


class CareTeamJoinInputSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=32, help_text="The invite code your clinician gave you, e.g. 7KQ4-MZ2P"
    )
