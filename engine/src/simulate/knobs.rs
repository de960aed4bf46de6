//! Realism knobs: when interactions arrive, what kind they are, and how long each step
//! takes. Defaults describe a mid-size inbound center; every draw uses the run's RNG.

use super::ids::{Draw, Ms, SimRng, MIN, SEC};

/// Kind of interaction drawn from the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Inbound voice call through a routing point and virtual queue.
    Inbound,
    /// Internal call between two agents.
    Internal,
    /// Call an agent places to a customer.
    AgentOutbound,
    /// Call OCS dials for a campaign.
    Campaign,
    /// Inbound e-mail.
    Email,
    /// Chat.
    Chat,
}

/// Every tunable of the simulation.
#[derive(Debug, Clone)]
pub struct Knobs {
    /// Relative arrivals per hour of the UTC day.
    pub curve: [f64; 24],
    /// Share of each kind (normalised).
    pub mix: [(Kind, f64); 6],
    /// Inbound calls that end in self-service IVR.
    pub ivr_self_service: f64,
    /// Mean customer patience in queue.
    pub patience: Ms,
    /// Customers who hang up while the agent's phone rings.
    pub abandon_ringing: f64,
    /// Median talk time.
    pub talk_median: Ms,
    /// Calls with a hold.
    pub hold: f64,
    /// Single-step transfers to another agent.
    pub blind_transfer: f64,
    /// Consultations completed as a transfer.
    pub consult_transfer: f64,
    /// Consultations completed as a conference.
    pub conference: f64,
    /// Consultations that return to the customer.
    pub consult_return: f64,
    /// Calls followed by after-call work.
    pub acw: f64,
    /// Median after-call work.
    pub acw_median: Ms,
    /// Chance of a Not Ready break after an interaction.
    pub break_after: f64,
    /// Inbound calls routed to the other site (with two sites).
    pub cross_site: f64,
    /// Of those, the share sent to an unmonitored switch.
    pub unmonitored: f64,
    /// Of those, the share whose IS-link fails (routed locally instead).
    pub failed_link: f64,
    /// Agent-dialed calls answered by the customer.
    pub outbound_answer: f64,
    /// Campaign call results: answered, no answer, busy, answering machine.
    pub campaign_results: [f64; 4],
    /// E-mails answered with a reply.
    pub email_reply: f64,
    /// E-mails parked in the agent workbin first.
    pub email_workbin: f64,
    /// E-mails transferred to another agent.
    pub email_transfer: f64,
    /// Mean chat customer patience.
    pub chat_patience: Ms,
    /// Answered chats in which the agent invites another agent into a consultation.
    pub chat_consult: f64,
    /// Chat consultations completed as a transfer, and as a conference (the rest return).
    pub chat_consult_completion: [f64; 2],
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            curve: [
                0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.8, 1.0, 1.0, 0.95, 0.9, 0.8, 0.85, 0.95,
                1.0, 0.9, 0.75, 0.6, 0.45, 0.35, 0.3, 0.25, 0.2,
            ],
            mix: [
                (Kind::Inbound, 0.70),
                (Kind::Internal, 0.05),
                (Kind::AgentOutbound, 0.05),
                (Kind::Campaign, 0.08),
                (Kind::Email, 0.07),
                (Kind::Chat, 0.05),
            ],
            ivr_self_service: 0.08,
            patience: 90 * SEC,
            abandon_ringing: 0.02,
            talk_median: 170 * SEC,
            hold: 0.25,
            blind_transfer: 0.05,
            consult_transfer: 0.05,
            conference: 0.03,
            consult_return: 0.04,
            acw: 0.85,
            acw_median: 20 * SEC,
            break_after: 0.03,
            cross_site: 0.10,
            unmonitored: 0.10,
            failed_link: 0.05,
            outbound_answer: 0.7,
            campaign_results: [0.55, 0.25, 0.1, 0.1],
            email_reply: 0.7,
            email_workbin: 0.15,
            email_transfer: 0.08,
            chat_patience: 4 * MIN,
            chat_consult: 0.15,
            chat_consult_completion: [0.3, 0.2],
        }
    }
}

impl Knobs {
    /// Draws the kind of the next interaction.
    pub fn kind(&self, rng: &mut SimRng) -> Kind {
        let weights = self.mix.map(|(_, w)| w);
        self.mix[rng.weighted(&weights)].0
    }

    /// Ringing time of an agent phone.
    pub fn ring(&self, rng: &mut SimRng) -> Ms {
        rng.lognormal_ms(6 * SEC, 0.5, 2 * SEC, 25 * SEC)
    }

    /// Talk time of a call segment (scaled by `factor`).
    pub fn talk(&self, rng: &mut SimRng, factor: f64) -> Ms {
        let median = (self.talk_median as f64 * factor) as Ms;
        rng.lognormal_ms(median, 0.7, 10 * SEC, 3600 * SEC)
    }

    /// Length of a hold.
    pub fn hold_length(&self, rng: &mut SimRng) -> Ms {
        rng.lognormal_ms(35 * SEC, 0.6, 5 * SEC, 600 * SEC)
    }

    /// After-call work following a call (0 when none).
    pub fn acw_length(&self, rng: &mut SimRng) -> Ms {
        if rng.chance(self.acw) {
            rng.lognormal_ms(self.acw_median, 0.6, 3 * SEC, 600 * SEC)
        } else {
            0
        }
    }

    /// Time spent in the IVR by a self-service caller.
    pub fn ivr_time(&self, rng: &mut SimRng) -> Ms {
        rng.lognormal_ms(70 * SEC, 0.5, 10 * SEC, 900 * SEC)
    }

    /// Default number of agents for `per_day` interactions.
    pub fn default_agents(per_day: u64) -> usize {
        ((per_day as f64 * 0.0115).ceil() as usize).max(12)
    }

    /// Cumulative arrival distribution over one day, per minute (1440 entries ending at 1).
    pub fn day_cdf(&self) -> Vec<f64> {
        let mut cdf = Vec::with_capacity(1440);
        let total: f64 = self.curve.iter().sum::<f64>() * 60.0;
        let mut acc = 0.0;
        for minute in 0..1440 {
            acc += self.curve[minute / 60] / total;
            cdf.push(acc);
        }
        if let Some(last) = cdf.last_mut() {
            *last = 1.0;
        }
        cdf
    }
}

/// Arrival offsets (ms from midnight) of `n` interactions in one day, sorted.
pub fn arrivals(rng: &mut SimRng, cdf: &[f64], n: u64) -> Vec<Ms> {
    use rand::Rng;
    let mut out: Vec<Ms> = (0..n)
        .map(|_| {
            let u: f64 = rng.random();
            let minute = cdf.partition_point(|c| *c < u).min(cdf.len() - 1);
            minute as Ms * MIN + rng.random_range(0..MIN)
        })
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn arrivals_follow_the_curve() {
        let k = Knobs::default();
        let mut rng = SimRng::seed_from_u64(9);
        let a = arrivals(&mut rng, &k.day_cdf(), 20_000);
        assert_eq!(a.len(), 20_000);
        assert!(a.windows(2).all(|w| w[0] <= w[1]));
        let night = a.iter().filter(|t| **t < 5 * 60 * MIN).count();
        let morning = a
            .iter()
            .filter(|t| (9 * 60 * MIN..14 * 60 * MIN).contains(*t))
            .count();
        assert!(morning > 4 * night, "{morning} vs {night}");
    }
}
