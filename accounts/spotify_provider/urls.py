from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from accounts.spotify_provider.provider import SpotifyProvider

urlpatterns = default_urlpatterns(SpotifyProvider)
