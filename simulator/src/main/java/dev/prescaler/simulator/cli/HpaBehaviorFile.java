package dev.prescaler.simulator.cli;

import dev.prescaler.core.InvalidConfigurationException;
import dev.prescaler.decision.HpaBehavior;
import dev.prescaler.decision.HpaPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code --hpa-behavior FILE}: a HorizontalPodAutoscaler manifest ({@code autoscaling/v2}
 * or {@code v2beta2}, YAML or JSON, e.g. from {@code kubectl get hpa web -o yaml}) whose {@code
 * spec.behavior} is used, or the behavior object alone ({@code scaleUp}, {@code scaleDown}).
 */
final class HpaBehaviorFile {
  private HpaBehaviorFile() {}

  /**
   * The HPA with the file's behavior and Kubernetes' defaults for the rest.
   *
   * @throws IllegalArgumentException naming the file and every problem; naming the option and
   *     the value, as the other file options do, when {@code file} is empty, a directory or no
   *     path
   */
  static HpaPolicy read(String file) {
    Path path;
    try {
      path = Path.of(file);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("--hpa-behavior must be a file path, but was \"" + file
          + "\" (" + e.getReason() + ")");
    }
    // The empty path is the working directory: it was read as one ("IOException: Is a directory")
    // under an empty name, "simulate: : cannot read --hpa-behavior file".
    if (file.isEmpty() || Files.isDirectory(path)) {
      throw new IllegalArgumentException("--hpa-behavior must name a file, not a directory, but "
          + "was \"" + file + "\"");
    }
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": cannot read --hpa-behavior file ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
    List<Object> docs = new ArrayList<>();
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      for (Object doc : new Yaml(new SafeConstructor(options)).loadAll(text)) {
        if (doc != null) {
          docs.add(doc);
        }
      }
    } catch (YAMLException e) {
      throw new IllegalArgumentException(file + ": not YAML or JSON: "
          + e.getMessage().replaceAll("\\s+", " ").trim());
    }
    List<Map<?, ?>> hpas = new ArrayList<>();
    for (Object doc : docs) {
      if (doc instanceof Map<?, ?> m && (m.containsKey("scaleUp") || m.containsKey("scaleDown")
          || "HorizontalPodAutoscaler".equals(m.get("kind")))) {
        hpas.add(m);
      }
    }
    if (hpas.size() != 1) {
      throw new IllegalArgumentException(file + ": must hold one HorizontalPodAutoscaler or one "
          + "behavior object (scaleUp, scaleDown), but held " + hpas.size());
    }
    Map<?, ?> root = hpas.get(0);
    Object behavior = root;
    String where = file + ": behavior";
    if (root.containsKey("kind")) {
      Object api = root.get("apiVersion");
      if (!"autoscaling/v2".equals(api) && !"autoscaling/v2beta2".equals(api)) {
        throw new IllegalArgumentException(file + ": apiVersion must be autoscaling/v2 or "
            + "autoscaling/v2beta2 (autoscaling/v1 has no behavior), but was " + api);
      }
      behavior = root.get("spec") instanceof Map<?, ?> spec ? spec.get("behavior") : null;
      where = file + ": spec.behavior";
    }
    if (behavior != null && !(behavior instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(where + " must be an object, but was " + behavior);
    }
    try {
      return HpaBehavior.apply((Map<?, ?>) behavior, HpaPolicy.builder(), where).build();
    } catch (InvalidConfigurationException e) {
      throw new IllegalArgumentException(String.join("; ", e.problems()));
    }
  }
}
