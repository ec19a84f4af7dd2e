"""Accounts as companies run them: sign-in (password or the company's identity provider),
a second factor, invitations, password reset, leavers' sessions and the sign-in audit.

Site concerns, so they live in the project package: nothing imports ``hiringplan``;
the settings name these modules by dotted path.
"""
