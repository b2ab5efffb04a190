package dev.prescaler.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlCredentialsTest {
  @Test
  void userInfoIsFoundAndHiddenUpToTheLastAtOfTheAuthority() {
    assertThat(UrlCredentials.present("http://admin:s3cret@prom:9090/api")).isTrue();
    assertThat(UrlCredentials.redacted("http://admin:s3cret@prom:9090/api"))
        .isEqualTo("http://***@prom:9090/api");
    // A password holding '@' is hidden whole.
    assertThat(UrlCredentials.redacted("https://u:p@ss@prom_1:9090"))
        .isEqualTo("https://***@prom_1:9090");
    // Text that is not a valid URI, without a scheme's slashes.
    assertThat(UrlCredentials.redacted("prom:u:pw@host")).isEqualTo("prom:***@host");
  }

  /**
   * The authority ends at the first '/', '?' or '#', so user info with one of them in the
   * password looks like a host with a bad port, then a path, query or fragment with an '@'.
   */
  @Test
  void aPasswordHoldingSlashQuestionMarkOrHashIsFoundAndHidden() {
    for (String url : new String[] {"http://admin:pa/ss@prom:9090", "http://admin:pa?ss@prom:9090",
        "http://admin:pa#ss@prom:9090", "http://admin:p@/s#s@prom:9090"}) {
      assertThat(UrlCredentials.present(url)).as(url).isTrue();
      assertThat(UrlCredentials.redacted(url)).as(url).isEqualTo("http://***@prom:9090");
    }
  }

  /**
   * A password such as "12#34" or "1234/x" reads as a valid port and a fragment or a path: nothing
   * tells it from a URL with an '@' after its authority, so any '@' after the scheme counts as
   * user info (a Prometheus URL never needs one), and messages hide everything up to the last.
   * "http://admin:1234/x@prom:9090" was accepted, and sent to host admin, port 1234.
   */
  @Test
  void anAtAnywhereAfterTheSchemeCountsAsUserInfo() {
    for (String url : new String[] {"http://admin:12#34@prom:9090/",
        "http://admin:1234/x@prom:9090", "http://prom:9090/api?who=a@b", "http://prom:9090/#x@y",
        "http://prom:9090/a@b"}) {
      assertThat(UrlCredentials.present(url)).as(url).isTrue();
      assertThat(UrlCredentials.redacted(url)).as(url).startsWith("http://***@")
          .doesNotContain("admin").doesNotContain("1234");
    }
    assertThat(UrlCredentials.present("http://prom:9090/api")).isFalse();
    assertThat(UrlCredentials.redacted("http://prom:9090/api")).isEqualTo("http://prom:9090/api");
  }
}
