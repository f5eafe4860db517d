//! Image decoding and resizing dominate data loading; this spreads such work over all cores
//! with plain scoped threads, keeping the input order.

/// `f` applied to every item on all cores, in order; the first error wins.
pub fn map_on_all_cores<T: Sync, U: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<U, String> + Sync,
) -> Result<Vec<U>, String> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Result<Vec<U>, String>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for worker in workers {
            out.extend(worker.join().expect("worker thread panicked")?);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_reports_errors() {
        let items: Vec<u32> = (0..101).collect();
        let doubled = map_on_all_cores(&items, |&x| Ok(x * 2)).unwrap();
        assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        let err = map_on_all_cores(
            &items,
            |&x| if x == 57 { Err("bad 57".into()) } else { Ok(x) },
        );
        assert_eq!(err.unwrap_err(), "bad 57");
        assert!(
            map_on_all_cores(&[] as &[u32], |&x| Ok(x))
                .unwrap()
                .is_empty()
        );
    }
}
