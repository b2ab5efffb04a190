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

  @Test
  void anAtOutsideTheAuthorityIsNotUserInfo() {
    for (String url : new String[] {"http://prom:9090/api?who=a@b", "http://prom:9090/#x@y",
        "http://prom:9090/a@b", "http://prom:9090"}) {
      assertThat(UrlCredentials.present(url)).as(url).isFalse();
      assertThat(UrlCredentials.redacted(url)).as(url).isEqualTo(url);
    }
  }
}
