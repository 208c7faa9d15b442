"""Steps the Playwright browser tests share."""

from tests.academics.factories import PASSWORD


def sign_in(page, live_server, username: str) -> None:
    """Sign in through the login form (username or email, then password), as a person
    would. "Sign in" exactly: the single sign-on buttons read "Sign in with …"."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
