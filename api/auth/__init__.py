"""Operator authentication: password hashing, login with lockout, session cookies, CSRF and roles."""
