"""Accounts: passwords, sign-in and lockout, user administration,
the cookie key and the command line for administrators."""
