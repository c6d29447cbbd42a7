"""SQL access to the appointment schema."""
