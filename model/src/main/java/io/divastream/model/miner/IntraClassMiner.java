package io.divastream.model.miner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The intra-class task's miner, {@code --diva_intra random} (DIVA_SPEC section 2.3): B times, pick
 * a class present in the batch uniformly, then draw anchor, positive and negative uniformly with
 * replacement from that class's samples. Exactly B triplets, each within one class.
 *
 * <p>By default degenerate triplets (p = a or n = a) are kept, as in the original code; with two
 * samples per class half of the triplets have p = a and half have n = a, and the margin loss keeps
 * same-class pairs at a distance of roughly beta.
 *
 * <p>With {@code excludeDegenerate}, degenerate triplets are avoided by redrawing, not dropped: the
 * class is picked uniformly among the classes with at least two samples in the batch, the anchor
 * uniformly from its samples, and the positive and the negative each uniformly (with replacement,
 * so p = n is possible) from the class's samples other than the anchor. This still yields exactly
 * B triplets, unless no class has two samples, in which case there are none.
 */
public final class IntraClassMiner implements BatchMiner {

    private final boolean excludeDegenerate;

    /** Creates the original miner, which keeps degenerate triplets. */
    public IntraClassMiner() {
        this(false);
    }

    /**
     * Creates a miner.
     *
     * @param excludeDegenerate true to redraw positives and negatives among the anchor's class
     *     mates other than itself (no p = a or n = a); false for the original behaviour
     */
    public IntraClassMiner(boolean excludeDegenerate) {
        this.excludeDegenerate = excludeDegenerate;
    }

    /**
     * Returns whether degenerate triplets are excluded.
     *
     * @return true if p = a and n = a never occur
     */
    public boolean excludeDegenerate() {
        return excludeDegenerate;
    }

    @Override
    public Triplets mine(float[][] embeddings, int[] labels, RandomGenerator random) {
        Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> classes = new ArrayList<>();
        for (List<Integer> members : byClass.values()) {
            if (!excludeDegenerate || members.size() >= 2) {
                classes.add(members);
            }
        }
        int n = classes.isEmpty() ? 0 : labels.length;
        int[] a = new int[n];
        int[] p = new int[n];
        int[] neg = new int[n];
        for (int t = 0; t < n; t++) {
            List<Integer> members = classes.get(random.nextInt(classes.size()));
            int anchorPosition = random.nextInt(members.size());
            a[t] = members.get(anchorPosition);
            p[t] = members.get(draw(members.size(), anchorPosition, random));
            neg[t] = members.get(draw(members.size(), anchorPosition, random));
        }
        return new Triplets(a, p, neg);
    }

    /** A uniform position in [0, size), or in [0, size) without {@code anchor} if degenerates are excluded. */
    private int draw(int size, int anchor, RandomGenerator random) {
        if (!excludeDegenerate) {
            return random.nextInt(size);
        }
        int position = random.nextInt(size - 1);
        return position >= anchor ? position + 1 : position;
    }
}
