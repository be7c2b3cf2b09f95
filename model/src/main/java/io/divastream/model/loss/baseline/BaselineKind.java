package io.divastream.model.loss.baseline;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The deep-metric-learning baselines that DiVA is compared against, each trained on a single
 * embedding of the same total size.
 */
public enum BaselineKind {
    /** Triplet loss with semi-hard negative mining (Schroff et al. 2015). */
    TRIPLET_SEMIHARD("triplet"),
    /** Contrastive loss on positive and negative pairs (Hadsell et al. 2006). */
    CONTRASTIVE("contrastive"),
    /** Multi-similarity loss with its pair mining (Wang et al. 2019). */
    MULTI_SIMILARITY("multisimilarity"),
    /** Proxy-Anchor loss with one learnable proxy per class (Kim et al. 2020). */
    PROXY_ANCHOR("proxyanchor"),
    /** Multi-class N-pair loss (Sohn 2016). */
    NPAIR("npair"),
    /** Additive angular margin softmax with learnable class weights (Deng et al. 2019). */
    ARCFACE("arcface");

    private final String id;

    BaselineKind(String id) {
        this.id = id;
    }

    /**
     * Returns the name used in configuration files.
     *
     * @return the lower-case identifier, e.g. {@code "proxyanchor"}
     */
    public String id() {
        return id;
    }

    /**
     * Looks a baseline up by its {@link #id()}, ignoring case and surrounding blanks.
     *
     * @param name the identifier
     * @return the baseline
     * @throws IllegalArgumentException if no baseline has that identifier; the message lists the
     *     valid ones
     */
    public static BaselineKind parse(String name) {
        if (name != null) {
            String key = name.strip().toLowerCase(Locale.ROOT);
            for (BaselineKind kind : values()) {
                if (kind.id.equals(key)) {
                    return kind;
                }
            }
        }
        throw new IllegalArgumentException("unknown baseline loss '" + name + "'; valid names: "
                + Arrays.stream(values()).map(BaselineKind::id).collect(Collectors.joining(", ")));
    }
}
