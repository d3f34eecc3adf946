"""What the browser tests do on a page, shared by the flow suites (community, collections,
submission): wait for a condition, fill and send a form, read the console's errors."""

DESKTOP = {"width": 1280, "height": 900, "pixelRatio": 1, "mobile": False, "touch": False}


def wait_for(driver, condition, what, timeout=15):
    """Waits until `condition` holds. An element read while the next page replaces it (stale) or
    before it is there counts as "not yet", not as a failure; so does Chromium's "Node with given
    id does not belong to the document", the same race seen from its inspector (met once in CI).
    A condition that never holds still fails, when the time runs out."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def check(d):
        try:
            return condition(d)
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return False
            raise

    WebDriverWait(driver, timeout, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(
        check, message=f"timed out waiting for {what}")


def severe_console_messages(driver):
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def fill_and_send(driver, action, fields):
    """Types `fields` into the form posting to `action` and presses its submit button."""
    from selenium.webdriver.common.by import By
    form = driver.find_element(By.CSS_SELECTOR, f"form[action='{action}']")
    for name, value in fields.items():
        box = form.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
