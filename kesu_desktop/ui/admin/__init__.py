"""Administration inside the desktop (the 管理 menu, administrators only): users, offices, departments
and categories, time limits and automatic rules, the business calendar, reply templates and phrases.

Every dialog calls the administration services, which check the role, validate, and record the change
(services.admin_log); the menu being hidden from other roles is a convenience, not the protection.
"""
