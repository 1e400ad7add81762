//! Validation of the travel-reach model (`hetao_atlas::core::reach`) against published rail
//! times, geometry and the boundary rule.

use hetao_atlas::core::reach::{Mode, Network, ReachParams, reach, travel_time};
use std::sync::OnceLock;

fn net() -> &'static Network {
    static NET: OnceLock<Network> = OnceLock::new();
    NET.get_or_init(|| Network::build_embedded(&ReachParams::default()).expect("network builds"))
}

const NINE_AM: f64 = 9.0 * 60.0;

#[test]
fn smoke() {
    let n = net();
    eprintln!("grid {}x{} specials {} edges {}", n.grid.nx, n.grid.ny, n.specials.len(), n.edges.len());
    let r = travel_time(n, (114.12806, 22.50113), (114.065677, 22.51445), Mode::Transit, NINE_AM).unwrap();
    eprintln!("{r:#?}");
    let iso = reach(n, (114.0791154, 22.5214876), Mode::Walk, &[10.0, 20.0, 30.0], NINE_AM).unwrap();
    for i in &iso {
        eprintln!("{} {} polys {}", i.minutes, i.area_m2, i.geometry.0.len());
    }
}
