package io.divastream.model.miner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The intra-class task's miner, {@code --diva_intra random} (DIVA_SPEC section 2.3): B times, pick
 * a class present in the batch uniformly, then draw anchor, positive and negative uniformly with
 * replacement from that class's samples. Degenerate triplets (p = a or n = a) are kept, as in the
 * original code; the margin loss then keeps same-class pairs at a distance of roughly beta.
 */
public final class IntraClassMiner implements BatchMiner {

    @Override
    public Triplets mine(float[][] embeddings, int[] labels, RandomGenerator random) {
        Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> classes = new ArrayList<>(byClass.values());
        int n = labels.length;
        int[] a = new int[n];
        int[] p = new int[n];
        int[] neg = new int[n];
        for (int t = 0; t < n; t++) {
            List<Integer> members = classes.get(random.nextInt(classes.size()));
            a[t] = members.get(random.nextInt(members.size()));
            p[t] = members.get(random.nextInt(members.size()));
            neg[t] = members.get(random.nextInt(members.size()));
        }
        return new Triplets(a, p, neg);
    }
}
