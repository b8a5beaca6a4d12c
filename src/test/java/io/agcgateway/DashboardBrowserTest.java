package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.support.Http;
import io.agcgateway.support.Chromium;
import io.agcgateway.support.TestGateway;
import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Walks the dashboard the way the AGC guide walks Nango's: sign in, Configure New Integration, Add Test
 * Connection → Authorize in the popup, then a proxied call shows in Logs. Real gateway (sandbox on),
 * Debian's headless chromium. Steps share one browser and run in order; a route the dashboard needs
 * that is missing fails its step.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(DashboardBrowserTest.ShotOnFailure.class)
class DashboardBrowserTest {
    /** A failed step leaves a picture of what the browser showed. */
    static final class ShotOnFailure implements TestWatcher {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (driver != null) {
                try {
                    driver.switchTo().window(mainWindow);
                    screenshot("FAILED-" + context.getRequiredTestMethod().getName());
                } catch (RuntimeException e) {
                    // the browser itself is gone; the assertion message is what is left
                }
            }
        }
    }

    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final String KEY = "agc-dashboard-test";
    private static final String SANDBOX_PROVIDER = "atlassian-government-cloud-sandbox";
    private static final String SANDBOX_CLIENT_ID = "agc-sandbox-client";

    private static Gateway gw;
    private static Http api;
    private static WebDriver driver;
    private static WebDriverWait wait;
    private static String mainWindow;
    private static String clientSecret;
    private static String connectionId;
    private static String cloudId;
    private static int shot;

    @BeforeAll
    static void start() throws IOException {
        Chromium.assumeInstalled();
        gw = TestGateway.start(TestGateway.Store.H2);
        api = new Http(gw.baseUrl(), gw.secretKey());
        Files.createDirectories(SHOTS);
        driver = Chromium.start(false);
        wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        mainWindow = driver.getWindowHandle();
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    @Order(1)
    void signIn_withWrongKey_showsTheApiMessage() {
        driver.get(gw.baseUrl() + "/");
        WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret-key")));
        input.sendKeys("00000000-0000-4000-8000-000000000000");
        driver.findElement(By.id("signin-submit")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#signin-error strong")));
        assertThat(driver.findElement(By.id("signin-error")).getText())
                .contains("Wrong secret key")
                .contains("does not match any account");
        assertThat(error.isDisplayed()).isTrue();
        assertThat(js("return sessionStorage.length")).isEqualTo(0L);
        screenshot("signin-wrong-key");

        input.clear();
        input.sendKeys("not-a-uuid");
        driver.findElement(By.id("signin-submit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("signin-error"), "UUID"));
        assertThat(driver.findElements(By.id("nav-integrations")).get(0).isDisplayed()).isFalse();
    }

    @Test
    @Order(2)
    void signIn_withSecretKey_opensIntegrations() {
        WebElement input = driver.findElement(By.id("secret-key"));
        input.clear();
        input.sendKeys(gw.secretKey(), Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Integrations"));
        assertThat(driver.findElement(By.id("nav-integrations")).getAttribute("aria-current")).isEqualTo("page");
        assertThat(driver.findElement(By.id("sign-out")).isDisplayed()).isTrue();
        screenshot("integrations");
    }

    @Test
    @Order(3)
    void configureNewIntegration_forTheSandboxProvider_isListedAndKeepsTheSecretHidden() {
        clientSecret = sandboxClientSecret();
        driver.findElement(By.id("new-integration")).click();
        Select provider = new Select(wait.until(ExpectedConditions.elementToBeClickable(By.id("provider"))));
        assertThat(provider.getOptions().get(0).getAttribute("value")).startsWith("atlassian-government-cloud");

        // an empty form names what is missing
        driver.findElement(By.id("unique-key")).clear();
        driver.findElement(By.id("save-integration")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("integration-error"))).getText())
                .contains("Enter an integration ID").contains("client ID").contains("client secret");

        provider.selectByValue(SANDBOX_PROVIDER);
        assertThat(driver.findElement(By.id("callback-url")).getAttribute("value")).isEqualTo(gw.settings().publicUrl() + "/oauth/callback");
        WebElement offline = driver.findElement(By.id("scope-offline-access"));
        assertThat(offline.isSelected()).isTrue();
        assertThat(offline.isEnabled()).isFalse();
        assertThat(driver.findElement(By.id("offline-help")).getText()).contains("refresh token");
        assertThat(driver.findElements(By.cssSelector(".scope input[type=checkbox]"))).hasSize(10);

        type(By.id("unique-key"), KEY);
        type(By.id("display-name"), "AGC sandbox (dashboard test)");
        type(By.id("client-id"), SANDBOX_CLIENT_ID);
        type(By.id("client-secret"), clientSecret);
        driver.findElement(By.id("scope-read-jira-work")).click();
        driver.findElement(By.id("scope-read-jira-user")).click();
        type(By.id("other-scopes"), "read:me");
        fullScreenshot("new-integration-form");
        driver.findElement(By.id("save-integration")).click();

        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tr[data-key='" + KEY + "']")));
        assertThat(row.getText()).contains("AGC sandbox (dashboard test)").contains(SANDBOX_PROVIDER);
        assertThat(row.getAttribute("class")).contains("highlight");
        assertThat(row.findElement(By.cssSelector("img.logo")).getAttribute("naturalWidth")).isNotEqualTo("0");
        assertThat(driver.getPageSource()).doesNotContain(clientSecret);
        screenshot("integration-created");

        JsonNode saved = api.get("/integrations/" + KEY + "?include=credentials").json().path("data").path("credentials");
        assertThat(saved.path("client_id").asText()).isEqualTo(SANDBOX_CLIENT_ID);
        assertThat(saved.path("client_secret").asText()).isEqualTo(clientSecret);
        assertThat(List.of(saved.path("scopes").asText().split(","))).containsExactlyInAnyOrder(
                "offline_access", "read:jira-work", "read:jira-user", "read:me");
    }

    @Test
    @Order(4)
    void editIntegration_withEmptySecret_keepsTheSecret() {
        driver.findElement(By.cssSelector("tr[data-key='" + KEY + "'] a.button")).click();
        WebElement secret = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("client-secret")));
        assertThat(secret.getAttribute("value")).isEmpty();
        assertThat(driver.findElement(By.id("provider")).isEnabled()).isFalse();
        assertThat(driver.findElement(By.id("client-id")).getAttribute("value")).isEqualTo(SANDBOX_CLIENT_ID);
        assertThat(driver.findElement(By.id("scope-read-jira-work")).isSelected()).isTrue();
        assertThat(driver.findElement(By.id("other-scopes")).getAttribute("value")).isEqualTo("read:me");
        assertThat(driver.getPageSource()).doesNotContain(clientSecret);
        type(By.id("display-name"), "AGC sandbox");
        driver.findElement(By.id("save-integration")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("tr[data-key='" + KEY + "']"), "AGC sandbox"));
        JsonNode saved = api.get("/integrations/" + KEY + "?include=credentials").json().path("data");
        assertThat(saved.path("display_name").asText()).isEqualTo("AGC sandbox");
        assertThat(saved.path("credentials").path("client_secret").asText()).isEqualTo(clientSecret);
    }

    @Test
    @Order(5)
    void deleteIntegration_asksFirst_andEscapeCancels() {
        assertThat(api.post("/integrations", "{\"unique_key\":\"throwaway\",\"provider\":\"atlassian-government-cloud\","
                + "\"credentials\":{\"type\":\"OAUTH2\",\"client_id\":\"c\",\"client_secret\":\"s\"}}").status()).isEqualTo(200);
        driver.navigate().refresh();
        By row = By.cssSelector("tr[data-key='throwaway']");
        wait.until(ExpectedConditions.visibilityOfElementLocated(row)).findElement(By.cssSelector("button.danger-outline")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog[open]")));
        screenshot("delete-confirmation");
        driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("dialog"), 0));
        assertThat(api.get("/integrations/throwaway").status()).isEqualTo(200);

        driver.findElement(row).findElement(By.cssSelector("button.danger-outline")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("confirm-ok"))).click();
        wait.until(ExpectedConditions.numberOfElementsToBe(row, 0));
        assertThat(api.get("/integrations/throwaway").status()).isEqualTo(404);
    }

    @Test
    @Order(6)
    void logsTab_showsOperationsLive_filtersThem_andOpensTheDetail() {
        OperationLog log = gw.bean("operationLog", OperationLog.class);
        long now = System.currentTimeMillis();
        log.submit(new Operation("auth", "create_connection", "failed", KEY, "seed-conn", "Authorization denied by the user",
                "access_denied", 400, 1, 12L, null, null, Map.of(), now - 5000, now - 4988));
        log.flush(5000);
        driver.findElement(By.id("nav-logs")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tr[data-log-id]")));

        // a new operation shows up while the tab is open, without a reload and without moving focus
        WebElement connection = driver.findElement(By.id("filter-connection"));
        connection.click();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("method", "GET");
        request.put("url", gw.settings().publicUrl() + "/proxy/ex/jira/abc/rest/api/3/myself");
        request.put("headers", Map.of("authorization", "REDACTED", "provider-config-key", KEY));
        Map<String, Object> response = Map.of("status", 200, "headers", Map.of("content-type", "application/json"));
        log.submit(new Operation("proxy", "call", "success", KEY, "seed-conn", "GET /ex/jira/abc/rest/api/3/myself", null,
                200, 2, 87L, request, response, Map.of("retry", "after 429"), now, now + 87));
        log.flush(5000);
        WebElement proxyRow = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//tr[@data-log-id][td[@data-field='type' and .='proxy:call']]")));
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("filter-connection");
        assertThat(proxyRow.findElement(By.cssSelector("[data-field=status]")).getText()).isEqualTo("success");
        assertThat(proxyRow.findElement(By.cssSelector("[data-field=http]")).getText()).isEqualTo("200");
        screenshot("logs-live");

        new Select(driver.findElement(By.id("filter-type"))).selectByValue("auth");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.xpath("//td[@data-field='type' and .='proxy:call']")));
        assertThat(driver.findElements(By.cssSelector("tr[data-log-id]"))).hasSize(1);
        screenshot("logs-filtered");
        new Select(driver.findElement(By.id("filter-type"))).selectByValue("");

        wait.until(ExpectedConditions.visibilityOfElementLocated(By.xpath("//tr[td[@data-field='type' and .='proxy:call']]//a"))).click();
        WebElement detail = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("log-detail")));
        String page = driver.findElement(By.tagName("main")).getText();
        assertThat(detail.getText()).contains("proxy:call").contains("87 ms").contains("Attempts");
        assertThat(page).contains("/proxy/ex/jira/abc/rest/api/3/myself").contains("REDACTED").contains("content-type");
        fullScreenshot("log-detail");
        driver.findElement(By.id("back-to-logs")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("filter-type")));
    }

    @Test
    @Order(7)
    void addTestConnection_authorizeInPopup_listsTheConnectionWithItsCloudId() {
        driver.findElement(By.id("nav-connections")).click();
        WebElement add = wait.until(ExpectedConditions.elementToBeClickable(By.id("add-connection")));
        screenshot("connections-before");
        add.click();
        new Select(wait.until(ExpectedConditions.elementToBeClickable(By.id("connect-integration")))).selectByValue(KEY);
        WebElement sub = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("connect-subdomain")));
        assertThat(driver.findElement(By.cssSelector("dialog .affix")).getText()).contains("https://").contains(".atlassian-us-gov-mod.net");
        sub.sendKeys("acme-test");
        screenshot("add-test-connection");
        driver.findElement(By.id("authorize")).click();

        String popup = wait.until(d -> d.getWindowHandles().stream().filter(h -> !h.equals(mainWindow)).findFirst().orElse(null));
        driver.switchTo().window(popup);
        WebElement approve = wait.until(ExpectedConditions.elementToBeClickable(
                By.xpath("//button[contains(translate(., 'APROVE', 'aprove'), 'approve')] | //input[@type='submit' and contains(@value, 'pprove')]")));
        screenshot("sandbox-consent");
        approve.click();
        driver.switchTo().window(mainWindow);

        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("tr.highlight[data-integration='" + KEY + "']")));
        connectionId = row.getAttribute("data-connection-id");
        WebElement cloud = wait.until(d -> row.findElement(By.cssSelector("[data-field=cloudId]")));
        JsonNode full = api.get("/connections/" + enc(connectionId) + "?provider_config_key=" + KEY).json();
        cloudId = full.path("connection_config").path("cloudId").asText();
        assertThat(cloudId).isNotBlank();
        assertThat(cloud.getText()).isEqualTo(cloudId);
        assertThat(row.findElement(By.cssSelector("[data-field=site]")).getText()).contains("acme-test");
        screenshot("connection-listed");

        row.findElement(By.xpath(".//button[.='Details']")).click();
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog[open] .kv")));
        String accessToken = full.path("credentials").path("access_token").asText();
        String shown = driver.findElement(By.cssSelector("dialog[open]")).getText();
        assertThat(shown).contains(cloudId).contains("••");
        if (!accessToken.isEmpty()) {
            assertThat(shown).doesNotContain(accessToken);
            assertThat(driver.getPageSource()).doesNotContain(accessToken);
        }
        assertThat(dialog.isDisplayed()).isTrue();
        fullScreenshot("connection-details");
        driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("dialog"), 0));
    }

    @Test
    @Order(8)
    void proxiedCall_appearsInLogsWithItsStatus() {
        assertThat(cloudId).as("the connection added by the previous step").isNotNull();
        Http.Res r = api.get("/proxy/ex/jira/" + cloudId + "/rest/api/3/myself", "Provider-Config-Key", KEY, "Connection-Id", connectionId);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        driver.findElement(By.id("nav-logs")).click();
        new Select(wait.until(ExpectedConditions.elementToBeClickable(By.id("filter-type")))).selectByValue("proxy");
        WebElement conn = driver.findElement(By.id("filter-connection"));
        conn.clear();
        conn.sendKeys(connectionId);
        // the table re-renders as the filter is typed: read the row's cells in one go, again if a render replaced it
        By rowOf = By.xpath("//tr[@data-log-id][td[@data-field='connection' and .='" + connectionId + "']]");
        java.util.List<String> cells = new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
                    java.util.List<WebElement> rows = d.findElements(rowOf);
                    if (rows.isEmpty() || !rows.get(0).isDisplayed()) {
                        return null;
                    }
                    return java.util.List.of(rows.get(0).findElement(By.cssSelector("[data-field=status]")).getText(),
                            rows.get(0).findElement(By.cssSelector("[data-field=http]")).getText());
                });
        assertThat(cells).containsExactly("success", "200");
        screenshot("logs-proxy-call");
        driver.findElement(By.id("filters-clear")).click();
    }

    @Test
    @Order(9)
    void phoneWidth_hasNoSidewaysScrolling() {
        driver.manage().window().setSize(new Dimension(390, 844));
        try {
            for (String page : List.of("integrations", "connections", "logs")) {
                driver.get(gw.baseUrl() + "/#/" + page);
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("main h1")));
                wait.until(d -> !"true".equals(d.findElement(By.cssSelector(".page-body")).getAttribute("aria-busy")));
                Number overflow = (Number) js("return document.documentElement.scrollWidth - window.innerWidth");
                assertThat(overflow.intValue()).as(page + " scrolls sideways").isLessThanOrEqualTo(0);
                fullScreenshot("phone-" + page);
            }
            driver.get(gw.baseUrl() + "/#/integrations/new");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("client-id")));
            assertThat(((Number) js("return document.documentElement.scrollWidth - window.innerWidth")).intValue()).isLessThanOrEqualTo(0);
            fullScreenshot("phone-new-integration");
        } finally {
            driver.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    @Test
    @Order(10)
    void signOut_forgetsTheKey() {
        driver.get(gw.baseUrl() + "/#/integrations");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("sign-out"))).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret-key")));
        assertThat(js("return sessionStorage.length")).isEqualTo(0L);
        assertThat(driver.findElement(By.id("nav")).isDisplayed()).isFalse();
    }

    // ---------- helpers ----------

    /** The sandbox's client secret: from gateway_meta once the sandbox stores it there, else from the agc-sandbox integration. */
    private static String sandboxClientSecret() {
        Http.Res r = api.get("/integrations/agc-sandbox?include=credentials");
        if (r.status() == 200) {
            return r.json().path("data").path("credentials").path("client_secret").asText();
        }
        return "sandbox-secret-" + Long.toHexString(System.nanoTime());
    }

    private static void type(By by, String text) {
        WebElement el = driver.findElement(by);
        el.clear();
        el.sendKeys(text);
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void screenshot(String name) {
        save(name, ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE));
    }

    /** Grows the window to the page's height for one picture, so long forms are seen whole. */
    private static void fullScreenshot(String name) {
        js("window.scrollTo(0, 0)");
        Dimension before = driver.manage().window().getSize();
        long height = (Long) js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)");
        driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(4000, Math.max(before.getHeight(), height + 120))));
        try {
            save(name, ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE));
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    private static void save(String name, File file) {
        try {
            Files.copy(file.toPath(), SHOTS.resolve(String.format("%02d-%s.png", ++shot, name)), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot save screenshot " + name, e);
        }
    }
}
