"""Write the bundled real cases (regtimeline/data/*.jsonl) from the facts below.

Run ``python tools/make_cases.py`` after changing a fact; the files are what ships, and the
tests check dated statuses against them. Every event cites the public reporting it rests on.
"""

from __future__ import annotations

import pathlib

import regtimeline
from regtimeline import (
    BlockImposed,
    BlockLifted,
    DeadlineMet,
    DeadlineSet,
    DelistingImposed,
    DelistingLifted,
    Dispute,
    Scope,
    Statement,
    ThrottleImposed,
    ThrottleLifted,
    Timeline,
)

DATA = pathlib.Path(regtimeline.__file__).parent / "data"

#: The 20 districts of the union territory of Jammu and Kashmir (10 in each division). They
#: have no ISO 3166-2 codes, so they are place names, compared as written.
JK_DISTRICTS = (
    "Anantnag", "Bandipora", "Baramulla", "Budgam", "Ganderbal",
    "Kulgam", "Kupwara", "Pulwama", "Shopian", "Srinagar",
    "Doda", "Jammu", "Kathua", "Kishtwar", "Poonch",
    "Rajouri", "Ramban", "Reasi", "Samba", "Udhampur",
)  # fmt: skip

HOME = "Home Department, Government of Jammu and Kashmir"


def jammu_kashmir() -> Timeline:
    """Jammu and Kashmir, 2019-2021."""
    dispute = Dispute(
        id="in-jk-internet-2019",
        regulator="Government of India / Jammu and Kashmir administration",
        platform="internet",
        jurisdiction="IN",
        timezone="Asia/Kolkata",
    )
    jk = Scope(regions=JK_DISTRICTS)
    return Timeline(
        dispute,
        [
            BlockImposed(
                at="2019-08-04",
                id="shutdown",
                scope=jk,
                by="Government of India",
                source="https://www.outlookindia.com/website/story/india-news-government-decides-to-restore-4g-internet-in-jammu-and-kashmir-after-551-days/373359",
                note=(
                    "communication blockade imposed on 4 August 2019, the eve of the revocation "
                    "of Article 370: mobile, fixed-line internet and landlines cut (Ladakh, then "
                    "part of the state, is not modelled here)"
                ),
            ),
            BlockLifted(
                at="2020-01-25",
                id="restored-2g-whitelist",
                block="shutdown",
                by=HOME,
                source="https://scroll.in/latest/951036/j-k-2g-mobile-internet-broadband-to-be-restored-today-but-with-restrictions",
                note="mobile data and fixed-line internet allowed again, with restrictions",
            ),
            ThrottleImposed(
                at="2020-01-25",
                id="restricted",
                scope=jk,
                rate="2G speed on mobile; about 300 whitelisted sites, no social media",
                by=HOME,
                source="https://scroll.in/latest/951036/j-k-2g-mobile-internet-broadband-to-be-restored-today-but-with-restrictions",
                note=(
                    "the order of 24 January 2020 allowed mobile data (2G) and fixed-line "
                    "internet limited to whitelisted websites, from 25 January"
                ),
            ),
            ThrottleLifted(
                at="2020-03-04",
                id="fixed-line-unrestricted",
                throttle="restricted",
                scope=Scope(networks={"fixed"}),
                by=HOME,
                source="https://indianexpress.com/article/india/jammu-kashmir-social-media-curbs-removed-6298847/",
                note=(
                    "whitelist and social-media ban removed; fixed-line internet at unlimited "
                    "speed with MAC-binding; mobile data stays at 2G"
                ),
            ),
            ThrottleLifted(
                at="2020-08-16T21:00:00+05:30",
                id="4g-trial",
                throttle="restricted",
                scope=Scope(regions={"Ganderbal", "Udhampur"}),
                by=HOME,
                source="https://www.thehindu.com/news/national/4g-internet-restored-in-ganderbal-udhampur-on-trial-basis/article32369451.ece",
                note=(
                    "high-speed mobile data restored on trial in Ganderbal (Kashmir) and "
                    "Udhampur (Jammu) from 9 pm; the rest of the districts stay at 2G"
                ),
            ),
            ThrottleLifted(
                at="2021-02-05",
                id="4g-everywhere",
                throttle="restricted",
                by=HOME,
                source="https://www.thehindubusinessline.com/news/national/4g-services-being-restored-in-entire-jammu-and-kashmir/article33762038.ece",
                note=(
                    "4G restored in the entire union territory, announced on the evening of "
                    "5 February 2021 (reported to resume from midnight): day precision"
                ),
            ),
        ],
    )


STF = "Justice Alexandre de Moraes, Supremo Tribunal Federal"


def brazil_x() -> Timeline:
    """Brazil's Supreme Court against X, 2024."""
    dispute = Dispute(
        id="br-stf-x-2024",
        regulator="Supremo Tribunal Federal",
        platform="X",
        jurisdiction="BR",
        timezone="America/Sao_Paulo",
    )
    return Timeline(
        dispute,
        [
            DeadlineSet(
                at="2024-08-28",
                id="legal-representative",
                due="2024-08-29",
                demand="name a legal representative of X in Brazil within 24 hours",
                consequence="block",
                source="https://extra.sc/2024/08/30/alexandre-de-moraes-ordena-suspensao-imediata-do-twitter-x-no-brasil/",
                note=(
                    "served by a post on the court's own profile on X on the evening of "
                    "28 August; 24 hours, here to the end of 29 August (day precision)"
                ),
            ),
            BlockImposed(
                at="2024-08-30",
                id="suspension",
                enforces="legal-representative",
                by=STF,
                source="https://extra.sc/2024/08/30/alexandre-de-moraes-ordena-suspensao-imediata-do-twitter-x-no-brasil/",
                note=(
                    "immediate nationwide suspension; Anatel and internet providers notified "
                    "to block it; R$50,000 a day for anyone reaching X through a VPN"
                ),
            ),
            DelistingImposed(
                at="2024-08-30",
                id="app-stores",
                stores={"apple", "google"},
                by=STF,
                source="https://extra.sc/2024/08/30/alexandre-de-moraes-ordena-suspensao-imediata-do-twitter-x-no-brasil/",
                note="Apple and Google given five days to remove the X app from their stores",
            ),
            DelistingLifted(
                at="2024-08-30",
                id="app-stores-suspended",
                delisting="app-stores",
                by=STF,
                source="https://noticias.uol.com.br/colunas/carolina-brigido/2024/08/30/moraes-suspende-por-ora-obrigacao-de-apple-e-google-de-banir-x-das-lojas.htm",
                note=(
                    "hours later, the same day, the order to the app stores (and the one on "
                    "VPN apps) was suspended; the VPN fine stayed. Day precision: the "
                    "delisting order is on the record but was never in force at a day's end"
                ),
            ),
            Statement(
                at="2024-09-02",
                id="first-panel-upholds",
                by="First Panel, Supremo Tribunal Federal",
                text="the suspension is upheld unanimously",
                source="https://oficinadanet.com.br/twitter/57374-stf-autoriza-desbloqueio-x-twitter-brasil",
            ),
            DeadlineMet(
                at="2024-10-08",
                id="representative-named",
                deadline="legal-representative",
                source="https://oficinadanet.com.br/twitter/57374-stf-autoriza-desbloqueio-x-twitter-brasil",
                note=(
                    "X formalised Rachel de Oliveira Villa Nova as its legal representative; "
                    "recorded here on the day the court accepted compliance (the filing came "
                    "earlier, on a day the sources used do not give)"
                ),
            ),
            BlockLifted(
                at="2024-10-08",
                id="return-authorised",
                block="suspension",
                by=STF,
                source="https://www.ctvnews.ca/world/elon-musk-s-x-to-be-reinstated-in-brazil-after-complying-with-supreme-court-demands-1.7066793",
                note=(
                    "X named a legal representative, blocked the accounts ordered and paid the "
                    "fines (R$28.6 million); Anatel told to restore access, which providers "
                    "did from 8-9 October"
                ),
            ),
        ],
    )


def nigeria_twitter() -> Timeline:
    """Nigeria against Twitter, 2021-2022: a suspension lifted when an open demand was met."""
    dispute = Dispute(
        id="ng-fgn-twitter-2021",
        regulator="Federal Government of Nigeria",
        platform="Twitter",
        jurisdiction="NG",
        timezone="Africa/Lagos",
    )
    return Timeline(
        dispute,
        [
            Statement(
                at="2021-06-04",
                id="suspension-announced",
                by="Lai Mohammed, Minister of Information and Culture",
                text=(
                    "Twitter's operations in Nigeria are suspended indefinitely, for the "
                    "persistent use of the platform for activities capable of undermining "
                    "Nigeria's corporate existence"
                ),
                source="https://nationalpost.com/pmn/news-pmn/crime-pmn/nigeria-indefinitely-suspends-twitter-operations-information-minister",
            ),
            BlockImposed(
                at="2021-06-05",
                id="suspension",
                by="Federal Government of Nigeria",
                source="https://ewn.co.za/2021/06/04/nigeria-govt-says-indefinitely-suspending-twitter-in-country",
                note=(
                    "Twitter still worked after the statement of Friday 4 June; network "
                    "operators blocked it from Saturday 5 June (day precision)"
                ),
            ),
            DeadlineSet(
                at="2021-10-01",
                id="five-conditions",
                demand=(
                    "respect for national security and cohesion; registration, physical "
                    "presence and representation in Nigeria; fair taxation; dispute "
                    "resolution; local content"
                ),
                consequence="other",
                source="https://thenigeriadaily.com/?p=29177",
                note=(
                    "President Buhari's Independence Day broadcast: the suspension would be "
                    "lifted only once these conditions were met; no date was set"
                ),
            ),
            DeadlineMet(
                at="2022-01-12",
                id="conditions-agreed",
                deadline="five-conditions",
                source="https://techgenyz.com/nigeria-lifts-ban-on-twitter-after-7-months/",
                note=(
                    "Twitter agreed to set up a legal entity in Nigeria in the first quarter "
                    "of 2022, appoint a country representative, comply with tax obligations "
                    "and enrol Nigeria in its law-enforcement portals"
                ),
            ),
            BlockLifted(
                at="2022-01-13",
                id="suspension-lifted",
                block="suspension",
                by="President Muhammadu Buhari",
                source="https://bizwatchnigeria.ng/breaking-buhari-lifts-twitter-ban-in-nigeria-lifted/",
                note="lifted 'effective from 12am tonight, 13th January 2022' (NITDA statement)",
            ),
        ],
    )


def india_tiktok() -> Timeline:
    """India against TikTok, 2020-2021: an interim ban made permanent in January 2021.

    The reporting does not give the day of the notices: a month.
    """
    dispute = Dispute(
        id="in-meity-tiktok-2020",
        regulator="Ministry of Electronics and Information Technology",
        platform="TikTok",
        jurisdiction="IN",
        timezone="Asia/Kolkata",
    )
    return Timeline(
        dispute,
        [
            BlockImposed(
                at="2020-06-29",
                id="interim-ban",
                by="Ministry of Electronics and Information Technology (Section 69A, IT Act)",
                source="https://www.livemint.com/news/india/india-to-impose-permanent-ban-on-tiktok-58-other-chinese-apps-11611583089471.html",
                note=(
                    "an interim ban on 59 apps including TikTok, as prejudicial to the "
                    "sovereignty and integrity of India, defence, security of state and "
                    "public order; the companies were then asked to explain their compliance "
                    "with privacy and security requirements"
                ),
            ),
            Statement(
                at="2021-01",
                id="permanent-notices",
                by="Ministry of Electronics and Information Technology",
                text=(
                    "fresh notices to TikTok and 58 other apps: the government is not "
                    "satisfied with their explanations, so the ban is permanent"
                ),
                source="https://www.business-standard.com/article/companies/govt-to-impose-a-permanent-ban-on-some-chinese-apps-including-tiktok-121012201460_1.html",
                note=(
                    "reported from 22 to 26 January 2021 (Mint, 25 January: the notice 'was "
                    "issued last week'); no report gives the day: month precision"
                ),
            ),
            Statement(
                at="2021-01-22",
                id="tiktok-evaluating",
                by="TikTok",
                text="evaluating the notice; will respond to it as appropriate",
                source="https://www.business-standard.com/article/companies/govt-to-impose-a-permanent-ban-on-some-chinese-apps-including-tiktok-121012201460_1.html",
                note="a TikTok spokesperson, quoted on 22 January 2021 (day of the report)",
            ),
        ],
    )


if __name__ == "__main__":
    for name, build in (
        ("india-tiktok-2020.jsonl", india_tiktok),
        ("jammu-kashmir-2019.jsonl", jammu_kashmir),
        ("brazil-x-2024.jsonl", brazil_x),
        ("nigeria-twitter-2021.jsonl", nigeria_twitter),
    ):
        regtimeline.dump(build(), DATA / name)
        print("wrote", DATA / name)
