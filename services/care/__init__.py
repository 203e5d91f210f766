"""Care work around a child: activities and their sign-in, participation, health checks, aid,
counselling notes, and the one-child profile (一人一档) that gathers records and care."""
