app_name = "ordering"
urlpatterns: list = []
