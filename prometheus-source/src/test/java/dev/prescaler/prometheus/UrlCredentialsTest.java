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
   * A password such as "12#34" reads as a valid port and a fragment: nothing tells it from a
   * URL with an '@' after its authority, so messages hide everything up to the last '@'.
   */
  @Test
  void anAtAfterTheAuthorityIsNotUserInfoButIsHiddenInMessages() {
    assertThat(UrlCredentials.present("http://admin:12#34@prom:9090/")).isFalse();
    assertThat(UrlCredentials.redacted("http://admin:12#34@prom:9090/"))
        .isEqualTo("http://***@prom:9090/");
    for (String url : new String[] {"http://prom:9090/api?who=a@b", "http://prom:9090/#x@y",
        "http://prom:9090/a@b"}) {
      assertThat(UrlCredentials.present(url)).as(url).isFalse();
      assertThat(UrlCredentials.redacted(url)).as(url).startsWith("http://***@")
          .doesNotContain("prom");
    }
    assertThat(UrlCredentials.redacted("http://prom:9090/api")).isEqualTo("http://prom:9090/api");
  }
}
