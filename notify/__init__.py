"""Reminders, timer pushes and alerts to patients over email, Web Push, FCM and APNs."""
