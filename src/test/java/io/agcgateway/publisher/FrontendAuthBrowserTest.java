package io.agcgateway.publisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.agcgateway.Gateway;
import io.agcgateway.http.Json;
import io.agcgateway.support.Chromium;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The real @nangohq/frontend 0.71.10 (from npm, its ES modules served as they ship) in headless Chromium, on a page of
 * another origin (localhost:appPort, the gateway is 127.0.0.1:gwPort), against the gateway in sandbox mode: auth()
 * must settle through the gateway's WebSocket. Skipped without chromium or npm, failed under CI=true.
 */
class FrontendAuthBrowserTest {
    private static final Path SDK_DIR = Path.of("target/nango-frontend").toAbsolutePath();
    private static final Path SDK_DIST = SDK_DIR.resolve("node_modules/@nangohq/frontend/dist");

    private static Gateway gw;
    private static FlowDriver flow;
    private static HttpServer app;
    private static WebDriver driver;
    private static WebDriverWait wait;
    private static String mainWindow;

    @BeforeAll
    static void start() throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean browser = Chromium.installed();
        boolean npm = exec(List.of("npm", "--version"), 60) == 0;
        if ((!browser || !npm) && ci) {
            fail("CI=true but chromium, chromedriver or npm is missing: apt-get install -y chromium chromium-driver nodejs npm");
        }
        Assumptions.assumeTrue(browser && npm, "chromium/chromedriver or npm not installed: frontend SDK test skipped");
        if (!Files.isRegularFile(SDK_DIST.resolve("index.js"))) {
            assertThat(exec(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", SDK_DIR.toString(),
                    "@nangohq/frontend@0.71.10"), 300)).as("npm install @nangohq/frontend@0.71.10").isZero();
        }
        gw = TestGateway.start(TestGateway.Store.H2);
        flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
        app = appServer();

        driver = Chromium.start(false);
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        mainWindow = driver.getWindowHandle();
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (app != null) {
            app.stop(0);
        }
        if (gw != null) {
            gw.close();
        }
    }

    @AfterEach
    void closePopups() {
        if (driver == null) {
            return;
        }
        for (String h : driver.getWindowHandles()) {
            if (!h.equals(mainWindow)) {
                driver.switchTo().window(h).close();
            }
        }
        driver.switchTo().window(mainWindow);
    }

    @Test
    void auth_approved_resolvesWithTheConnectionAndStoresTheAcmeCloudId() {
        String token = flow.session("frontend-ok");
        clickConnect(token);
        consent("approve");

        JsonNode r = outcome("resolved");
        JsonNode stored = flow.onlyConnection("frontend-ok");
        assertThat(r.path("providerConfigKey").asText()).isEqualTo("agc-sandbox");
        assertThat(r.path("connectionId").asText()).isEqualTo(stored.path("connection_id").asText());
        assertThat(r.path("isPending").asBoolean(true)).isFalse();
        JsonNode config = new Http(gw.baseUrl(), gw.secretKey())
                .get("/connections/" + stored.path("connection_id").asText() + "?provider_config_key=agc-sandbox").json()
                .path("connection_config");
        assertThat(config.path("cloudId").asText()).isNotBlank();
        assertThat(config.path("baseUrl").asText()).contains("acme");
        socketsCloseAfterTheFinalMessage();
    }

    @Test
    void auth_deniedConsent_rejectsWithNangosCallbackError() {
        String token = flow.session("frontend-denied");
        clickConnect(token);
        consent("deny");

        JsonNode r = outcome("rejected");
        assertThat(r.path("name").asText()).isEqualTo("AuthError");
        assertThat(r.path("type").asText()).isEqualTo("callback_err");
        assertThat(r.path("message").asText()).contains("access_denied");
        assertThat(new Http(gw.baseUrl(), gw.secretKey()).get("/connections?endUserId=frontend-denied").json()
                .path("connections")).isEmpty();
        socketsCloseAfterTheFinalMessage();
    }

    @Test
    void reconnect_reauthorisesTheSameConnection() {
        String token = flow.session("frontend-reconnect");
        assertThat(flow.run("agc-sandbox", token, "acme").status()).isEqualTo(200);
        String id = flow.onlyConnection("frontend-reconnect").path("connection_id").asText();
        Http.Res re = flow.http.post("/connect/sessions/reconnect", "{\"connection_id\":\"" + id + "\",\"integration_id\":\"agc-sandbox\"}");
        assertThat(re.status()).as(re.toString()).isEqualTo(201);
        clickConnect(re.json().path("data").path("token").asText(), "&mode=reconnect");
        consent("approve");

        JsonNode r = outcome("resolved");
        assertThat(r.path("connectionId").asText()).isEqualTo(id);
        assertThat(flow.onlyConnection("frontend-reconnect").path("connection_id").asText()).isEqualTo(id);
        socketsCloseAfterTheFinalMessage();
    }

    @Test
    void detectClosedAuthWindow_popupClosedBeforeConsent_rejectsWindowClosed() {
        clickConnect(flow.session("frontend-closed"), "&detect=1");
        wait.until(d -> d.getWindowHandles().size() == 2);
        String popup = driver.getWindowHandles().stream().filter(h -> !h.equals(mainWindow)).findFirst().orElseThrow();
        driver.switchTo().window(popup);
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button.approve")));
        driver.close();
        driver.switchTo().window(mainWindow);

        JsonNode r = outcome("rejected");
        assertThat(r.path("name").asText()).isEqualTo("AuthError");
        assertThat(r.path("type").asText()).isEqualTo("window_closed");
    }

    @Test
    void openConnectUI_framesTheConnectUi_andReportsReadyConnectAndClose() {
        openApp(flow.session("frontend-connect-ui"), "");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("open-connect-ui"))).click();
        wait.until(d -> events().contains("\"type\":\"ready\""));
        driver.switchTo().frame("connect-ui");
        WebElement subdomain = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[name='params[subdomain]']")));
        assertThat(driver.switchTo().activeElement()).as("the dialog focuses its first field").isEqualTo(subdomain);
        subdomain.sendKeys("acme");
        driver.findElement(By.cssSelector("form.card button.cu-connect")).click();
        driver.switchTo().defaultContent();
        consent("approve");

        wait.until(d -> events().contains("\"type\":\"connect\""));
        String id = flow.onlyConnection("frontend-connect-ui").path("connection_id").asText();
        assertThat(events()).contains("\"providerConfigKey\":\"agc-sandbox\"").contains("\"connectionId\":\"" + id + "\"")
                .contains("\"isPending\":false");
        driver.switchTo().frame("connect-ui");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("cu-close"))).click();
        driver.switchTo().defaultContent();
        wait.until(d -> events().contains("\"type\":\"close\""));
        assertThat(driver.findElements(By.id("connect-ui"))).as("the SDK removes its iframe on close").isEmpty();
    }

    @Test
    void openConnectUI_deniedConsent_reportsNangosCallbackError_andStoresNothing() {
        openApp(flow.session("frontend-connect-ui-denied"), "");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("open-connect-ui"))).click();
        wait.until(d -> events().contains("\"type\":\"ready\""));
        driver.switchTo().frame("connect-ui");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[name='params[subdomain]']"))).sendKeys("acme");
        driver.findElement(By.cssSelector("form.card button.cu-connect")).click();
        driver.switchTo().defaultContent();
        consent("deny");

        wait.until(d -> events().contains("\"type\":\"error\""));
        assertThat(events()).contains("\"errorType\":\"callback_err\"").contains("access_denied").doesNotContain("\"type\":\"connect\"");
        driver.switchTo().frame("connect-ui");
        assertThat(driver.findElement(By.id("cu-status")).getText()).contains("failed");
        driver.switchTo().defaultContent();
        assertThat(new Http(gw.baseUrl(), gw.secretKey()).get("/connections?endUserId=frontend-connect-ui-denied").json()
                .path("connections")).isEmpty();
    }

    @Test
    void openConnectUI_withAnEndedSession_reportsTheErrorAndStillCloses() {
        String token = flow.session("frontend-connect-ui-ended");
        assertThat(new Http(gw.baseUrl(), token).delete("/connect/session").status()).isEqualTo(204);
        openApp(token, "");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("open-connect-ui"))).click();
        wait.until(d -> events().contains("\"type\":\"error\""));
        assertThat(events()).contains("\"type\":\"ready\"").contains("\"errorType\":\"unknown_connect_session_token\"");
        driver.switchTo().frame("connect-ui");
        assertThat(driver.findElement(By.id("cu-reason")).getText()).contains("unknown or has expired");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("cu-close"))).click();
        driver.switchTo().defaultContent();
        wait.until(d -> events().contains("\"type\":\"close\""));
        assertThat(driver.findElements(By.id("connect-ui"))).isEmpty();
    }

    @Test
    void connectUiApi_isReadableFromAnotherOrigin_onlyWithTheSessionToken() {
        String token = flow.session("frontend-cors", "agc-sandbox");
        openApp(token, "");
        Map<?, ?> list = fetch("GET", "/integrations", token);
        assertThat(list.get("status")).as(String.valueOf(list)).isEqualTo(200L);
        assertThat(Json.read((String) list.get("body")).path("data").get(0).path("unique_key").asText()).isEqualTo("agc-sandbox");
        assertThat(fetch("GET", "/providers/atlassian-government-cloud-sandbox", token).get("status")).isEqualTo(200L);
        assertThat(fetch("GET", "/connect/session", token).get("status")).isEqualTo(200L);
        Map<?, ?> keyed = fetch("GET", "/integrations", gw.secretKey());
        assertThat(keyed.get("error")).as("a secret-key answer is not readable by a page: " + keyed).isNotNull();
        assertThat(fetch("DELETE", "/connect/session", token).get("status")).isEqualTo(204L);
        Map<?, ?> ended = fetch("GET", "/integrations", token);
        assertThat(ended.get("status")).isEqualTo(401L);
        assertThat(Json.read((String) ended.get("body")).at("/error/code").asText()).isEqualTo("unknown_connect_session_token");
    }

    /** fetch() from the app's page (another origin than the gateway), as Nango's Connect UI calls the API. */
    private static Map<?, ?> fetch(String method, String path, String bearer) {
        return (Map<?, ?>) ((JavascriptExecutor) driver).executeAsyncScript("var done=arguments[arguments.length-1];"
                + "fetch(arguments[0],{method:arguments[1],headers:{Authorization:'Bearer '+arguments[2]}})"
                + ".then(function(r){return r.text().then(function(t){done({status:r.status,body:t});});})"
                + ".catch(function(e){done({error:String(e)});});", gw.baseUrl() + path, method, bearer);
    }

    @Test
    void connectUi_isFramableOnlyThere() {
        Http.Res ui = new Http(gw.baseUrl(), null).get("/connect/?apiURL=" + gw.baseUrl());
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.header("X-Frame-Options")).isNull();
        assertThat(ui.header("Content-Security-Policy")).contains("frame-ancestors *");
        Http.Res standalone = new Http(gw.baseUrl(), null).get("/connect?session_token=" + flow.session("frontend-standalone"));
        assertThat(standalone.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(standalone.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
        assertThat(new Http(gw.baseUrl(), null).get("/").header("X-Frame-Options")).isEqualTo("DENY");
    }

    @Test
    void getRootWithoutUpgrade_stillServesTheDashboard() {
        Http.Res r = new Http(gw.baseUrl(), null).get("/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.body()).contains("<html");
    }

    @Test
    void connectSession_namesTheWebsocketsPath() {
        String token = flow.session("frontend-session");
        Http.Res r = new Http(gw.baseUrl(), token).get("/connect/session");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode data = r.json().path("data");
        assertThat(data.path("websocketsPath").asText()).isEqualTo("/");
        // the rest of Nango's ConnectSessionOutput, which its Connect UI reads
        assertThat(data.path("endUser").path("id").asText()).isEqualTo("frontend-session");
        assertThat(data.path("endUser").path("organization").path("id").asText()).isEqualTo("org1");
        assertThat(data.path("isReconnecting").isBoolean()).isTrue();
        assertThat(data.path("connectUISettings").path("defaultTheme").asText()).isEqualTo("system");
    }

    private static void clickConnect(String token) {
        clickConnect(token, "");
    }

    private static void clickConnect(String token, String extraQuery) {
        openApp(token, extraQuery);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("connect"))).click();
    }

    private static void openApp(String token, String extraQuery) {
        driver.switchTo().window(mainWindow);
        driver.get("http://localhost:" + app.getAddress().getPort() + "/?host=" + gw.baseUrl() + "&token=" + token + extraQuery);
    }

    /** The popup the SDK opened shows the sandbox's consent page once the socket was acknowledged. */
    private static void consent(String decision) {
        wait.until(d -> d.getWindowHandles().size() == 2);
        Set<String> handles = driver.getWindowHandles();
        String popup = handles.stream().filter(h -> !h.equals(mainWindow)).findFirst().orElseThrow();
        driver.switchTo().window(popup);
        try {
            wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button." + decision))).click();
        } catch (org.openqa.selenium.TimeoutException e) {
            fail("the popup shows no consent page: " + driver.getCurrentUrl() + "\n" + driver.getPageSource());
        }
        driver.switchTo().window(mainWindow);
    }

    private static String events() {
        return driver.findElement(By.id("events")).getText();
    }

    private static JsonNode outcome(String prefix) {
        wait.until(d -> !d.findElement(By.id("result")).getText().isEmpty());
        String text = driver.findElement(By.id("result")).getText();
        assertThat(text).startsWith(prefix + " ");
        return Json.read(text.substring(prefix.length() + 1));
    }

    private static void socketsCloseAfterTheFinalMessage() {
        Publisher publisher = gw.bean("publisher", Publisher.class);
        wait.until(d -> publisher.openSockets() == 0);
    }

    /** The "customer app": the test page and the SDK's dist/ files, on another origin than the gateway. */
    private static HttpServer appServer() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] body;
            String type;
            if (path.equals("/")) {
                try (InputStream in = FrontendAuthBrowserTest.class.getResourceAsStream("/frontend-app/index.html")) {
                    body = in.readAllBytes();
                }
                type = "text/html; charset=utf-8";
            } else if (path.matches("/sdk/[a-zA-Z]+\\.js")) {
                body = Files.readAllBytes(SDK_DIST.resolve(path.substring("/sdk/".length())));
                type = "text/javascript; charset=utf-8";
            } else {
                body = "not found".getBytes(StandardCharsets.UTF_8);
                type = "text/plain";
            }
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(type.equals("text/plain") ? 404 : 200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        s.start();
        return s;
    }

    private static int exec(List<String> cmd, int timeoutSeconds) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        }
    }
}
