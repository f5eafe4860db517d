//! [`DirectGenerator`] against the same U-Net written as plain loops over unpadded maps, with
//! the up-sampling and concatenations done literally: an implementation too simple to share
//! the kernels' mistakes.

use super::*;

/// Deterministic values in −0.5..0.5.
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        })
        .collect()
}

fn dense(inputs: usize, outputs: usize, seed: u64) -> Dense {
    Dense {
        weight: values(inputs * outputs, seed),
        bias: values(outputs, seed + 1),
    }
}

/// A generator of base width `w` with every weight random, with or without the gain channel.
fn weights(w: usize, gain: bool) -> GeneratorWeights {
    let shapes = [
        (Sampling::Same, 3, w),
        (Sampling::Same, w, w),
        (Sampling::Down, w, 2 * w),
        (Sampling::Same, 2 * w, 2 * w),
        (Sampling::Down, 2 * w, 4 * w),
        (Sampling::Same, 4 * w, 4 * w),
        (Sampling::Up, 4 * w, 2 * w),
        (Sampling::Same, 4 * w, 2 * w),
        (Sampling::Up, 2 * w, w),
        (Sampling::Same, 2 * w, w),
    ];
    let embedding = 8;
    GeneratorWeights {
        condition: dense(3, embedding, 1),
        layers: std::array::from_fn(|i| {
            let (sampling, channels_in, channels_out) = shapes[i];
            let seed = 10 * i as u64 + 100;
            FilmWeights {
                sampling,
                channels_in,
                kernel: values(channels_out * channels_in * 9, seed),
                bias: values(channels_out, seed + 1),
                film: dense(embedding, 2 * channels_out, seed + 2),
            }
        }),
        out: values(4 * w, 7),
        out_bias: values(4, 8),
        input_offset: 0.5,
        leaky_slope: 0.2,
        gain,
    }
}

/// `[channels][h][w]` feature maps, computed the plain way.
struct Map {
    channels: usize,
    h: usize,
    w: usize,
    v: Vec<f32>,
}

impl Map {
    fn get(&self, c: usize, y: isize, x: isize) -> f32 {
        if y < 0 || x < 0 || y >= self.h as isize || x >= self.w as isize {
            return 0.0;
        }
        self.v[(c * self.h + y as usize) * self.w + x as usize]
    }
}

fn reference_film(layer: &FilmWeights, input: &Map, e: &[f32], slope: f32) -> Map {
    let input = match layer.sampling {
        Sampling::Up => Map {
            channels: input.channels,
            h: 2 * input.h,
            w: 2 * input.w,
            v: (0..input.channels * 4 * input.h * input.w)
                .map(|i| {
                    let (c, y, x) = (
                        i / (4 * input.h * input.w),
                        i / (2 * input.w) % (2 * input.h),
                        i % (2 * input.w),
                    );
                    input.get(c, (y / 2) as isize, (x / 2) as isize)
                })
                .collect(),
        },
        _ => Map {
            channels: input.channels,
            h: input.h,
            w: input.w,
            v: input.v.clone(),
        },
    };
    let stride = if layer.sampling == Sampling::Down {
        2
    } else {
        1
    };
    let (co_n, h, w) = (layer.bias.len(), input.h / stride, input.w / stride);
    let film = layer.film.forward(e);
    let mut v = vec![0.0; co_n * h * w];
    for co in 0..co_n {
        for y in 0..h {
            for x in 0..w {
                let mut sum = layer.bias[co];
                for ci in 0..input.channels {
                    for ky in 0..3 {
                        for kx in 0..3 {
                            let weight =
                                layer.kernel[((co * input.channels + ci) * 3 + ky) * 3 + kx];
                            sum += weight
                                * input.get(
                                    ci,
                                    (y * stride + ky) as isize - 1,
                                    (x * stride + kx) as isize - 1,
                                );
                        }
                    }
                }
                let z = sum * (1.0 + film[co]) + film[co_n + co];
                v[(co * h + y) * w + x] = if z > 0.0 { z } else { z * slope };
            }
        }
    }
    Map {
        channels: co_n,
        h,
        w,
        v,
    }
}

fn concat(a: &Map, b: &Map) -> Map {
    Map {
        channels: a.channels + b.channels,
        h: a.h,
        w: a.w,
        v: [&a.v[..], &b.v[..]].concat(),
    }
}

fn reference(
    g: &GeneratorWeights,
    image: &[f32],
    condition: &[f32],
    h: usize,
    w: usize,
) -> Vec<f32> {
    let e: Vec<f32> = g
        .condition
        .forward(condition)
        .into_iter()
        .map(|v| v.max(0.0))
        .collect();
    let l = &g.layers;
    let film = |i: usize, m: &Map| reference_film(&l[i], m, &e, g.leaky_slope);
    let x = Map {
        channels: 3,
        h,
        w,
        v: image.iter().map(|v| v - g.input_offset).collect(),
    };
    let s1 = film(1, &film(0, &x));
    let s2 = film(3, &film(2, &s1));
    let b = film(5, &film(4, &s2));
    let d2 = film(7, &concat(&film(6, &b), &s2));
    let d1 = film(9, &concat(&film(8, &d2), &s1));
    let output = |c: usize, p: usize| {
        g.out_bias[c]
            + (0..d1.channels)
                .map(|ci| g.out[c * d1.channels + ci] * d1.v[ci * h * w + p])
                .sum::<f32>()
    };
    let mut out = image.to_vec();
    for c in 0..3 {
        for p in 0..h * w {
            let scale = if g.gain { 1.0 + output(3, p) } else { 1.0 };
            out[c * h * w + p] = image[c * h * w + p] * scale + output(c, p);
        }
    }
    out
}

#[test]
fn renders_what_the_plain_loops_render() {
    for ([h, w], gain) in [
        ([8, 8], false),
        ([12, 20], false),
        ([16, 36], false),
        ([12, 20], true),
    ] {
        let mut weights = weights(4, gain);
        if [h, w] == [8, 8] {
            // Three outputs, the RGB residual alone: the packed layer pads them to four.
            weights.out.truncate(3 * 4);
            weights.out_bias.truncate(3);
        }
        let generator = DirectGenerator::new(&weights).unwrap();
        let images: Vec<f32> = values(2 * 3 * h * w, 3).iter().map(|v| v + 0.5).collect();
        let conditions = values(6, 4);
        let got = generator.forward(&images, &conditions, h, w).unwrap();
        let expected: Vec<f32> = (0..2)
            .flat_map(|i| {
                reference(
                    &weights,
                    &images[i * 3 * h * w..][..3 * h * w],
                    &conditions[3 * i..][..3],
                    h,
                    w,
                )
            })
            .collect();
        let worst = got
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-4, "{h}×{w}: largest difference {worst}");
    }
}

#[test]
fn refuses_weights_and_inputs_that_do_not_fit() {
    let mut bad = weights(4, false);
    bad.layers[7].channels_in = 8;
    let refusal = |w: &GeneratorWeights| DirectGenerator::new(w).err().unwrap();
    assert!(refusal(&bad).contains("layer 7"));
    let mut bad = weights(4, false);
    bad.layers[2].sampling = Sampling::Same;
    assert!(refusal(&bad).contains("layer 2"));
    let mut bad = weights(4, false);
    bad.out.pop();
    assert!(refusal(&bad).contains("output layer"));
    let mut bad = weights(4, true);
    bad.out.truncate(3 * 4);
    bad.out_bias.truncate(3);
    assert!(refusal(&bad).contains("output layer"));
    let mut bad = weights(4, false);
    bad.layers[5].film.bias.pop();
    assert!(refusal(&bad).contains("FiLM"));
    let generator = DirectGenerator::new(&weights(4, false)).unwrap();
    assert!(
        generator
            .forward(&[0.0; 3 * 6 * 8], &[0.0; 3], 6, 8)
            .is_err()
    );
    assert!(
        generator
            .forward(&[0.0; 3 * 8 * 8], &[0.0; 2], 8, 8)
            .is_err()
    );
    assert!(generator.forward(&[0.0; 100], &[0.0; 3], 8, 8).is_err());
    assert_eq!(
        generator.forward(&[], &[], 8, 8).unwrap(),
        Vec::<f32>::new()
    );
}
