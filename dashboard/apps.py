from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self):
        from django.contrib import admin

        admin.site.index_template = "admin/dashboard/index.html"
