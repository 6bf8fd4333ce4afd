"""Real-world associations between the built-in worlds' objects: the centres of their CPT rows.

:data:`ASSOCIATIONS` maps ``child relation -> parent relation -> parent object -> {child object: weight}``
for every edge of the built-in graph (see :mod:`bridges.world.builtin`): which country a city is in, which
languages a country's people speak natively, which fields a university is strong in, which awards a
field's people win... A world builder normalises each row and draws the conditional probability table's
row from a Dirichlet centred on it ("Dirichlet noise around real associations"), so that a sampled world
sends France to French, not to Japanese.

Where the data comes from: general knowledge (censuses, encyclopaedia articles, the prizes' own
histories), written down by hand and rounded; the seed paper's came from Wikidata co-occurrence counts.
These are *not* exact statistics: shares are rounded to a percent or so, and only the objects of the
built-in domains appear, so a row covers what the domain allows (Canada's English and French, not its
Punjabi).

What the weights mean: within one row, relative strengths (positive, not normalised, comparable only
within the row): a population share (country -> native language, religion), a popularity rank (country
-> sport, 1 for the most popular), or a rough "how typical" score (university -> field of work, field ->
occupation or award). Weight 1 with nothing else means "the" answer (a city's country, a country's
continent). A parent object left out (a city whose country is not in the domain, a field with no
field-specific award) has no real association in the domains; the builder falls back to its prior.
Shares do not sum to 1 where part of the population falls outside the domain (Nigeria's languages other
than Hausa, Yoruba, Igbo and English): in a smaller world a row restricted to the world's objects keeps
only its minor entries when the main one is cut (Norway without Norwegian keeps Polish 0.02), so a
builder should weigh the row's in-domain mass against its prior rather than normalise it blindly.
Some choices are conventions: Turkey, the Caucasus and Kazakhstan are in Asia, Russia in Europe, the
Caribbean and Central America in North America; "atheism" stands for no religion; the Oriental Orthodox
churches (Coptic, Ethiopian, Armenian Apostolic), absent from the domain, count as Eastern Orthodoxy;
Hong Kong is in China and San Juan in the United States.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["ASSOCIATIONS", "association_coverage"]

Row = dict[str, float]


def _w(text: str) -> Row:
    """``"law 0.7; medicine .6"`` -> ``{"law": 0.7, "medicine": 0.6}`` (a weight ends each item)."""
    row: Row = {}
    for item in text.split(";"):
        item = item.strip()
        if item:
            name, weight = item.rsplit(None, 1)
            row[name] = row.get(name, 0.0) + float(weight)
    return row


def _plus(*rows: Row) -> Row:
    """The sum of rows (a profile plus a university's own strengths)."""
    total: Row = {}
    for row in rows:
        for name, weight in row.items():
            total[name] = total.get(name, 0.0) + weight
    return total


def _cities(by_country: Mapping[str, str]) -> dict[str, Row]:
    return {city.strip(): {country: 1.0} for country, cities in by_country.items()
            for city in cities.split(";") if city.strip()}


# -- place of birth -> country of citizenship --------------------------------------------------------
# Each city's country. Left out (their country is not in the domain): Dubai, Taipei, Minsk, Tripoli,
# Khartoum, Kinshasa, Abidjan, Bamako, Lusaka, Maputo, Windhoek, Gaborone, Antananarivo, Santo Domingo,
# Luxembourg City, Valletta, Nicosia, Skopje, Tirana, Podgorica, Chișinău.
_PLACE_COUNTRY = _cities({
    "France": "Paris; Marseille; Lyon; Toulouse; Bordeaux; Nice; Strasbourg; Lille; Nantes",
    "Trinidad and Tobago": "Port of Spain",
    "Japan": "Tokyo; Osaka; Kyoto; Nagoya; Yokohama; Sapporo; Fukuoka",
    "Bosnia and Herzegovina": "Sarajevo",
    "United States": """New York City; Los Angeles; Chicago; Houston; Philadelphia; Boston; San Francisco;
        Seattle; Miami; Atlanta; Detroit; New Orleans; Denver; Washington; Baltimore; Pittsburgh; Cleveland;
        Minneapolis; Dallas; Phoenix; San Diego; Portland; Nashville; Memphis; Honolulu; San Juan""",
    "Germany": """Berlin; Munich; Hamburg; Frankfurt; Cologne; Leipzig; Dresden; Stuttgart; Düsseldorf; Bonn;
        Heidelberg; Nuremberg; Bremen; Hanover""",
    "Spain": "Madrid; Barcelona; Seville; Valencia; Bilbao; Málaga; Zaragoza; Granada",
    "Italy": "Rome; Milan; Naples; Turin; Florence; Venice; Bologna; Genoa; Palermo",
    "Russia": "Moscow; Saint Petersburg; Novosibirsk; Kazan; Yekaterinburg; Vladivostok",
    "China": "Beijing; Shanghai; Hong Kong; Guangzhou; Chengdu; Wuhan; Xi'an; Nanjing; Hangzhou; Tianjin; Harbin",
    "India": """Mumbai; Delhi; Kolkata; Chennai; Bangalore; Hyderabad; Pune; Ahmedabad; Jaipur; Lucknow;
        Varanasi""",
    "Egypt": "Cairo; Alexandria",
    "Nigeria": "Lagos",
    "Kenya": "Nairobi",
    "South Africa": "Johannesburg; Cape Town; Durban",
    "Australia": "Sydney; Melbourne; Brisbane; Perth; Adelaide",
    "Canada": "Toronto; Montreal; Vancouver; Ottawa; Quebec City; Calgary; Winnipeg; Halifax",
    "Mexico": "Mexico City; Guadalajara; Monterrey",
    "Brazil": """São Paulo; Rio de Janeiro; Recife; Salvador; Brasília; Belo Horizonte; Porto Alegre; Manaus;
        Fortaleza; Curitiba""",
    "Argentina": "Buenos Aires; Córdoba; Rosario",
    "Peru": "Lima",
    "Colombia": "Bogotá; Medellín; Cali",
    "Chile": "Santiago; Valparaíso",
    "Venezuela": "Caracas",
    "Cuba": "Havana",
    "United Kingdom": """London; Edinburgh; Manchester; Liverpool; Birmingham; Glasgow; Leeds; Bristol; Belfast;
        Cardiff; Oxford; Cambridge""",
    "Austria": "Vienna; Salzburg; Graz; Innsbruck",
    "Czech Republic": "Prague; Brno",
    "Hungary": "Budapest; Debrecen",
    "Poland": "Warsaw; Kraków; Gdańsk; Wrocław; Poznań; Łódź",
    "Sweden": "Stockholm; Gothenburg; Malmö; Uppsala",
    "Norway": "Oslo; Bergen; Trondheim",
    "Denmark": "Copenhagen; Aarhus",
    "Finland": "Helsinki; Turku",
    "Iceland": "Reykjavik",
    "Ireland": "Dublin; Cork; Galway",
    "Netherlands": "Amsterdam; Rotterdam; Utrecht; The Hague",
    "Belgium": "Brussels; Antwerp; Ghent; Liège",
    "Portugal": "Lisbon; Porto",
    "Switzerland": "Zürich; Geneva; Basel; Bern; Lausanne",
    "Greece": "Athens; Thessaloniki",
    "Turkey": "Istanbul; Ankara; Izmir",
    "Iran": "Tehran",
    "Iraq": "Baghdad",
    "Saudi Arabia": "Riyadh",
    "Pakistan": "Karachi; Lahore",
    "Bangladesh": "Dhaka; Chittagong",
    "Sri Lanka": "Colombo; Kandy",
    "Nepal": "Kathmandu",
    "Thailand": "Bangkok",
    "Vietnam": "Hanoi; Ho Chi Minh City",
    "Indonesia": "Jakarta; Surabaya",
    "Philippines": "Manila; Cebu City",
    "Malaysia": "Kuala Lumpur",
    "Singapore": "Singapore",
    "South Korea": "Seoul; Busan; Incheon",
    "Mongolia": "Ulaanbaatar",
    "Uzbekistan": "Tashkent",
    "Kazakhstan": "Almaty",
    "Ukraine": "Kyiv; Odesa; Kharkiv; Lviv",
    "Lithuania": "Vilnius",
    "Latvia": "Riga",
    "Estonia": "Tallinn",
    "Romania": "Bucharest; Cluj-Napoca",
    "Bulgaria": "Sofia",
    "Serbia": "Belgrade",
    "Croatia": "Zagreb",
    "Slovenia": "Ljubljana",
    "Slovakia": "Bratislava",
    "Georgia": "Tbilisi",
    "Armenia": "Yerevan",
    "Azerbaijan": "Baku",
    "Lebanon": "Beirut",
    "Syria": "Damascus",
    "Jordan": "Amman",
    "Israel": "Jerusalem; Tel Aviv",
    "Morocco": "Casablanca; Rabat; Marrakesh",
    "Algeria": "Algiers",
    "Tunisia": "Tunis",
    "Ethiopia": "Addis Ababa",
    "Tanzania": "Dar es Salaam",
    "Uganda": "Kampala",
    "Rwanda": "Kigali",
    "Angola": "Luanda",
    "Ghana": "Accra",
    "Senegal": "Dakar",
    "Zimbabwe": "Harare",
    "New Zealand": "Auckland; Wellington",
    "Guatemala": "Guatemala City",
    "Costa Rica": "San José",
    "Panama": "Panama City",
    "Jamaica": "Kingston",
    "Ecuador": "Quito; Guayaquil",
    "Bolivia": "La Paz",
    "Paraguay": "Asunción",
    "Uruguay": "Montevideo",
})
_PLACE_COUNTRY["Belfast"] = _w("United Kingdom 1; Ireland 0.3")  # Northern Irish people may hold both

# -- country of citizenship -> native language ---------------------------------------------------------
# Rough shares of first-language speakers among the domain's languages (regional languages absent from
# the domain, e.g. Punjabi, Javanese, Berber, Kurdish, Catalan, are simply missing from the rows).
_COUNTRY_LANGUAGE = {
    "France": _w("French 0.88; Arabic 0.04; Portuguese 0.01"),
    "Trinidad and Tobago": _w("English 1"),
    "Japan": _w("Japanese 0.99; Korean 0.003"),
    "Bosnia and Herzegovina": _w("Bosnian 0.53; Serbian 0.31; Croatian 0.15"),
    "Brazil": _w("Portuguese 0.98; German 0.002; Japanese 0.001"),
    "Germany": _w("German 0.88; Turkish 0.03; Russian 0.02; Polish 0.01; Arabic 0.01"),
    "India": _w("Hindi 0.45; English 0.1; Bengali 0.08; Urdu 0.04; Nepali 0.002"),
    "Nigeria": _w("Hausa 0.3; Yoruba 0.2; Igbo 0.18; English 0.1"),
    "Canada": _w("English 0.58; French 0.22; Mandarin Chinese 0.02; Spanish 0.015; Arabic 0.015; "
                 "Tagalog 0.013; Italian 0.01; German 0.01"),
    "Australia": _w("English 0.75; Mandarin Chinese 0.03; Arabic 0.015; Vietnamese 0.013; Italian 0.01; "
                    "Greek 0.01; Hindi 0.01"),
    "Mexico": _w("Spanish 0.94; English 0.005"),
    "Egypt": _w("Arabic 1"),
    "China": _w("Mandarin Chinese 0.9; Mongolian 0.004; Kazakh 0.001; Korean 0.001"),
    "Italy": _w("Italian 0.93; Romanian 0.015; Arabic 0.01; German 0.005"),
    "Spain": _w("Spanish 0.9; Arabic 0.02; Romanian 0.01; English 0.01"),
    "United Kingdom": _w("English 0.92; Polish 0.01; Urdu 0.005; Bengali 0.005; Arabic 0.003; Irish 0.001"),
    "United States": _w("English 0.78; Spanish 0.13; Mandarin Chinese 0.01; Tagalog 0.005; Vietnamese 0.005; "
                        "Arabic 0.004; French 0.004; Korean 0.003; Russian 0.003; German 0.003"),
    "Argentina": _w("Spanish 0.97; Italian 0.01; Quechua 0.002"),
    "Kenya": _w("Swahili 0.5; English 0.3"),
    "South Africa": _w("Zulu 0.25; Afrikaans 0.12; English 0.09"),
    "Sweden": _w("Swedish 0.85; Arabic 0.03; Finnish 0.02; Persian 0.005"),
    "Poland": _w("Polish 0.97; Ukrainian 0.02"),
    "Turkey": _w("Turkish 0.8; Arabic 0.02; Azerbaijani 0.005"),
    "Iran": _w("Persian 0.6; Azerbaijani 0.16; Arabic 0.02; Armenian 0.001"),
    "Antigua and Barbuda": _w("English 1"),
    "Indonesia": _w("Indonesian 1; Malay 0.05"),
    "Vietnam": _w("Vietnamese 0.9"),
    "Peru": _w("Spanish 0.83; Quechua 0.13"),
    "Colombia": _w("Spanish 0.99"),
    "Norway": _w("Norwegian 0.9; Polish 0.02; Swedish 0.01; Arabic 0.01"),
    "Portugal": _w("Portuguese 0.97"),
    "Netherlands": _w("Dutch 0.9; Turkish 0.02; Arabic 0.02; English 0.01"),
    "Belgium": _w("Dutch 0.59; French 0.4; German 0.01"),
    "Switzerland": _w("German 0.62; French 0.23; Italian 0.08; Portuguese 0.03; English 0.01; Serbian 0.01"),
    "Austria": _w("German 0.9; Turkish 0.02; Serbian 0.02; Croatian 0.01; Hungarian 0.005; Slovene 0.003"),
    "Greece": _w("Greek 0.99"),
    "Ireland": _w("English 0.9; Polish 0.03; Irish 0.02"),
    "Denmark": _w("Danish 0.95; Arabic 0.01"),
    "Finland": _w("Finnish 0.86; Swedish 0.05; Russian 0.015; Estonian 0.005"),
    "Iceland": _w("Icelandic 0.9; Polish 0.05"),
    "Russia": _w("Russian 0.85; Ukrainian 0.01; Armenian 0.005; Azerbaijani 0.004; Kazakh 0.003"),
    "Ukraine": _w("Ukrainian 0.68; Russian 0.3; Romanian 0.01; Hungarian 0.003; Bulgarian 0.003"),
    "Czech Republic": _w("Czech 0.95; Slovak 0.02"),
    "Hungary": _w("Hungarian 0.98"),
    "Romania": _w("Romanian 0.9; Hungarian 0.06"),
    "Bulgaria": _w("Bulgarian 0.85; Turkish 0.09"),
    "Serbia": _w("Serbian 0.88; Hungarian 0.03; Bosnian 0.02; Romanian 0.005; Croatian 0.005"),
    "Croatia": _w("Croatian 0.96; Serbian 0.01"),
    "Slovenia": _w("Slovene 0.9; Croatian 0.03; Serbian 0.02; Bosnian 0.01"),
    "Slovakia": _w("Slovak 0.8; Hungarian 0.09; Czech 0.01"),
    "Lithuania": _w("Lithuanian 0.85; Russian 0.07; Polish 0.05"),
    "Latvia": _w("Latvian 0.6; Russian 0.36"),
    "Estonia": _w("Estonian 0.68; Russian 0.3"),
    "Georgia": _w("Georgian 0.87; Azerbaijani 0.06; Armenian 0.04; Russian 0.01"),
    "Armenia": _w("Armenian 0.98; Russian 0.01"),
    "Azerbaijan": _w("Azerbaijani 0.92; Russian 0.01"),
    "Kazakhstan": _w("Kazakh 0.65; Russian 0.3; Uzbek 0.03"),
    "Uzbekistan": _w("Uzbek 0.8; Russian 0.05; Kazakh 0.03"),
    "Mongolia": _w("Mongolian 0.95; Kazakh 0.04"),
    "South Korea": _w("Korean 1"),
    "Thailand": _w("Thai 0.9; Malay 0.03"),
    "Philippines": _w("Tagalog 0.3; English 0.05"),
    "Malaysia": _w("Malay 0.5; Mandarin Chinese 0.1; English 0.05"),
    "Singapore": _w("English 0.48; Mandarin Chinese 0.3; Malay 0.09"),
    "Pakistan": _w("Urdu 0.9; English 0.1"),
    "Bangladesh": _w("Bengali 0.98"),
    "Sri Lanka": _w("Sinhala 0.75; English 0.02"),
    "Nepal": _w("Nepali 0.45; Hindi 0.01"),
    "Saudi Arabia": _w("Arabic 1"),
    "Israel": _w("Hebrew 0.5; Arabic 0.2; Russian 0.15; English 0.02"),
    "Lebanon": _w("Arabic 0.9; French 0.05; Armenian 0.04"),
    "Jordan": _w("Arabic 1"),
    "Iraq": _w("Arabic 0.8; Turkish 0.02"),
    "Syria": _w("Arabic 0.85; Armenian 0.01"),
    "Morocco": _w("Arabic 0.7; French 0.05"),
    "Algeria": _w("Arabic 0.7; French 0.05"),
    "Tunisia": _w("Arabic 0.95; French 0.03"),
    "Ethiopia": _w("Amharic 0.3"),
    "Ghana": _w("English 1; Hausa 0.05"),
    "Senegal": _w("French 1"),
    "Tanzania": _w("Swahili 0.9; English 0.05"),
    "Uganda": _w("English 0.3; Swahili 0.1"),
    "Rwanda": _w("French 0.1; English 0.1; Swahili 0.05"),
    "Angola": _w("Portuguese 0.71"),
    "Zimbabwe": _w("English 1"),
    "New Zealand": _w("English 0.95; Mandarin Chinese 0.02; Hindi 0.01; Tagalog 0.01"),
    "Chile": _w("Spanish 0.99"),
    "Cuba": _w("Spanish 1"),
    "Jamaica": _w("English 1"),
    "Saint Kitts and Nevis": _w("English 1"),
    "Venezuela": _w("Spanish 0.97"),
    "Ecuador": _w("Spanish 0.93; Quechua 0.05"),
    "Bolivia": _w("Spanish 0.6; Quechua 0.2"),
    "Uruguay": _w("Spanish 0.98; Portuguese 0.01"),
    "Paraguay": _w("Spanish 0.4; Portuguese 0.03; German 0.01"),
    "Guatemala": _w("Spanish 0.7"),
    "Panama": _w("Spanish 0.9; English 0.05"),
    "Costa Rica": _w("Spanish 1"),
    "Saint Vincent and the Grenadines": _w("English 1"),
    "São Tomé and Príncipe": _w("Portuguese 1"),
}

# -- country of citizenship -> continent ----------------------------------------------------------------
_CONTINENT_MEMBERS = {
    "Europe": """France; Bosnia and Herzegovina; Germany; Italy; Spain; United Kingdom; Sweden; Poland; Norway;
        Portugal; Netherlands; Belgium; Switzerland; Austria; Greece; Ireland; Denmark; Finland; Iceland;
        Russia; Ukraine; Czech Republic; Hungary; Romania; Bulgaria; Serbia; Croatia; Slovenia; Slovakia;
        Lithuania; Latvia; Estonia""",
    "North America": """Trinidad and Tobago; Canada; Mexico; United States; Antigua and Barbuda; Cuba; Jamaica;
        Saint Kitts and Nevis; Guatemala; Panama; Costa Rica; Saint Vincent and the Grenadines""",
    "Asia": """Japan; India; China; Turkey; Iran; Indonesia; Vietnam; Georgia; Armenia; Azerbaijan; Kazakhstan;
        Uzbekistan; Mongolia; South Korea; Thailand; Philippines; Malaysia; Singapore; Pakistan; Bangladesh;
        Sri Lanka; Nepal; Saudi Arabia; Israel; Lebanon; Jordan; Iraq; Syria""",
    "South America": "Brazil; Argentina; Peru; Colombia; Chile; Venezuela; Ecuador; Bolivia; Uruguay; Paraguay",
    "Africa": """Nigeria; Egypt; Kenya; South Africa; Morocco; Algeria; Tunisia; Ethiopia; Ghana; Senegal;
        Tanzania; Uganda; Rwanda; Angola; Zimbabwe; São Tomé and Príncipe""",
    "Oceania": "Australia; New Zealand",
}
_COUNTRY_CONTINENT = {country.strip(): {continent: 1.0} for continent, members in _CONTINENT_MEMBERS.items()
                      for country in members.split(";") if country.strip()}

# -- country of citizenship -> religion -------------------------------------------------------------------
# Rough shares of the population ("atheism": no religion); folk and tribal religions absent from the
# domain are missing from the rows.
_COUNTRY_RELIGION = {
    "France": _w("Catholicism 0.5; atheism 0.35; Islam 0.08; Protestantism 0.02; Judaism 0.01; Buddhism 0.005"),
    "Trinidad and Tobago": _w("Protestantism 0.3; Catholicism 0.21; Hinduism 0.18; Anglicanism 0.06; Islam 0.05"),
    "Japan": _w("Shinto 0.5; Buddhism 0.4; atheism 0.05; Protestantism 0.01"),
    "Bosnia and Herzegovina": _w("Islam 0.51; Eastern Orthodoxy 0.31; Catholicism 0.15"),
    "Brazil": _w("Catholicism 0.57; Protestantism 0.27; atheism 0.09"),
    "Germany": _w("atheism 0.43; Catholicism 0.25; Protestantism 0.22; Islam 0.06; Eastern Orthodoxy 0.02"),
    "India": _w("Hinduism 0.8; Islam 0.14; Sikhism 0.017; Protestantism 0.01; Catholicism 0.01; Buddhism 0.007; "
                "Jainism 0.004; Baháʼí Faith 0.0002; Zoroastrianism 0.0001"),
    "Nigeria": _w("Islam 0.5; Protestantism 0.35; Catholicism 0.12"),
    "Canada": _w("atheism 0.35; Catholicism 0.3; Protestantism 0.15; Islam 0.05; Anglicanism 0.04; "
                 "Hinduism 0.023; Sikhism 0.021; Eastern Orthodoxy 0.017; Buddhism 0.01; Judaism 0.009"),
    "Australia": _w("atheism 0.39; Catholicism 0.2; Anglicanism 0.1; Protestantism 0.1; Islam 0.03; "
                    "Hinduism 0.027; Buddhism 0.024; Eastern Orthodoxy 0.02; Sikhism 0.008; Judaism 0.004"),
    "Mexico": _w("Catholicism 0.78; Protestantism 0.11; atheism 0.08"),
    "Egypt": _w("Islam 0.9; Eastern Orthodoxy 0.1"),  # Coptic Orthodox
    "China": _w("atheism 0.5; Buddhism 0.18; Taoism 0.1; Confucianism 0.1; Protestantism 0.04; Islam 0.02; "
                "Catholicism 0.005"),
    "Italy": _w("Catholicism 0.75; atheism 0.2; Islam 0.03; Eastern Orthodoxy 0.02; Protestantism 0.01"),
    "Spain": _w("Catholicism 0.56; atheism 0.39; Islam 0.03; Protestantism 0.01"),
    "United Kingdom": _w("atheism 0.37; Anglicanism 0.2; Protestantism 0.1; Catholicism 0.08; Islam 0.065; "
                         "Hinduism 0.017; Sikhism 0.009; Judaism 0.005; Buddhism 0.005"),
    "United States": _w("Protestantism 0.4; atheism 0.28; Catholicism 0.2; Judaism 0.02; Islam 0.01; "
                        "Buddhism 0.01; Hinduism 0.01; Anglicanism 0.01; Eastern Orthodoxy 0.005"),
    "Argentina": _w("Catholicism 0.63; atheism 0.19; Protestantism 0.15; Islam 0.01; Judaism 0.005"),
    "Kenya": _w("Protestantism 0.6; Catholicism 0.2; Islam 0.11; Anglicanism 0.05; atheism 0.02; Hinduism 0.001"),
    "South Africa": _w("Protestantism 0.7; atheism 0.1; Catholicism 0.07; Anglicanism 0.04; Islam 0.02; "
                       "Hinduism 0.01; Judaism 0.002"),
    "Sweden": _w("Protestantism 0.52; atheism 0.4; Islam 0.05; Catholicism 0.01; Eastern Orthodoxy 0.01"),
    "Poland": _w("Catholicism 0.87; atheism 0.07; Eastern Orthodoxy 0.01; Protestantism 0.005"),
    "Turkey": _w("Islam 0.95; atheism 0.04"),
    "Iran": _w("Islam 0.99; Baháʼí Faith 0.004; Zoroastrianism 0.001; Judaism 0.0002"),
    "Antigua and Barbuda": _w("Protestantism 0.6; Anglicanism 0.17; Catholicism 0.08"),
    "Indonesia": _w("Islam 0.87; Protestantism 0.07; Catholicism 0.03; Hinduism 0.017; Buddhism 0.007; "
                    "Confucianism 0.0005"),
    "Vietnam": _w("atheism 0.7; Buddhism 0.15; Catholicism 0.07; Protestantism 0.01"),
    "Peru": _w("Catholicism 0.76; Protestantism 0.14; atheism 0.05"),
    "Colombia": _w("Catholicism 0.73; Protestantism 0.15; atheism 0.1"),
    "Norway": _w("Protestantism 0.65; atheism 0.3; Islam 0.03; Catholicism 0.03"),
    "Portugal": _w("Catholicism 0.8; atheism 0.14; Protestantism 0.02"),
    "Netherlands": _w("atheism 0.55; Catholicism 0.2; Protestantism 0.15; Islam 0.05"),
    "Belgium": _w("Catholicism 0.55; atheism 0.3; Islam 0.07; Protestantism 0.01"),
    "Switzerland": _w("Catholicism 0.33; atheism 0.31; Protestantism 0.21; Islam 0.055; Eastern Orthodoxy 0.02"),
    "Austria": _w("Catholicism 0.55; atheism 0.22; Islam 0.08; Eastern Orthodoxy 0.05; Protestantism 0.03"),
    "Greece": _w("Eastern Orthodoxy 0.9; atheism 0.05; Islam 0.02"),
    "Ireland": _w("Catholicism 0.69; atheism 0.14; Anglicanism 0.025; Eastern Orthodoxy 0.02; Islam 0.016; "
                  "Protestantism 0.01"),
    "Denmark": _w("Protestantism 0.72; atheism 0.2; Islam 0.05"),
    "Finland": _w("Protestantism 0.66; atheism 0.32; Eastern Orthodoxy 0.011"),
    "Iceland": _w("Protestantism 0.7; atheism 0.1; Catholicism 0.04"),
    "Russia": _w("Eastern Orthodoxy 0.6; atheism 0.25; Islam 0.08; Buddhism 0.005; Judaism 0.001"),
    "Ukraine": _w("Eastern Orthodoxy 0.7; Catholicism 0.1; atheism 0.1; Protestantism 0.02"),
    "Czech Republic": _w("atheism 0.7; Catholicism 0.1; Protestantism 0.01"),
    "Hungary": _w("Catholicism 0.4; atheism 0.3; Protestantism 0.15"),
    "Romania": _w("Eastern Orthodoxy 0.85; Protestantism 0.06; Catholicism 0.05"),
    "Bulgaria": _w("Eastern Orthodoxy 0.7; Islam 0.1; atheism 0.1"),
    "Serbia": _w("Eastern Orthodoxy 0.84; Catholicism 0.04; Islam 0.04; atheism 0.02"),
    "Croatia": _w("Catholicism 0.79; atheism 0.05; Eastern Orthodoxy 0.03; Islam 0.013"),
    "Slovenia": _w("Catholicism 0.6; atheism 0.25; Islam 0.03; Eastern Orthodoxy 0.02"),
    "Slovakia": _w("Catholicism 0.62; atheism 0.24; Protestantism 0.08"),
    "Lithuania": _w("Catholicism 0.75; atheism 0.06; Eastern Orthodoxy 0.04"),
    "Latvia": _w("Protestantism 0.35; atheism 0.3; Catholicism 0.2; Eastern Orthodoxy 0.2"),
    "Estonia": _w("atheism 0.58; Eastern Orthodoxy 0.16; Protestantism 0.08"),
    "Georgia": _w("Eastern Orthodoxy 0.83; Islam 0.1; Catholicism 0.01"),
    "Armenia": _w("Eastern Orthodoxy 0.93; Catholicism 0.01"),  # Armenian Apostolic Church
    "Azerbaijan": _w("Islam 0.96"),
    "Kazakhstan": _w("Islam 0.7; Eastern Orthodoxy 0.17; atheism 0.1"),
    "Uzbekistan": _w("Islam 0.94; Eastern Orthodoxy 0.02"),
    "Mongolia": _w("Buddhism 0.52; atheism 0.4; Islam 0.03; Protestantism 0.01"),
    "South Korea": _w("atheism 0.5; Protestantism 0.2; Buddhism 0.16; Catholicism 0.08"),
    "Thailand": _w("Buddhism 0.93; Islam 0.05; Protestantism 0.01"),
    "Philippines": _w("Catholicism 0.79; Protestantism 0.1; Islam 0.064"),
    "Malaysia": _w("Islam 0.63; Buddhism 0.19; Protestantism 0.09; Hinduism 0.06; Taoism 0.01; Confucianism 0.01"),
    "Singapore": _w("Buddhism 0.31; atheism 0.2; Islam 0.16; Protestantism 0.12; Taoism 0.09; Catholicism 0.07; "
                    "Hinduism 0.05"),
    "Pakistan": _w("Islam 0.96; Hinduism 0.02; Protestantism 0.01; Catholicism 0.005"),
    "Bangladesh": _w("Islam 0.91; Hinduism 0.08; Buddhism 0.006"),
    "Sri Lanka": _w("Buddhism 0.7; Hinduism 0.126; Islam 0.097; Catholicism 0.06; Protestantism 0.015"),
    "Nepal": _w("Hinduism 0.81; Buddhism 0.09; Islam 0.05"),
    "Saudi Arabia": _w("Islam 1"),
    "Israel": _w("Judaism 0.74; Islam 0.18; Eastern Orthodoxy 0.01; Catholicism 0.01"),
    "Lebanon": _w("Islam 0.6; Catholicism 0.25; Eastern Orthodoxy 0.08"),
    "Jordan": _w("Islam 0.97; Eastern Orthodoxy 0.02"),
    "Iraq": _w("Islam 0.97; Catholicism 0.01"),
    "Syria": _w("Islam 0.87; Eastern Orthodoxy 0.05; Catholicism 0.02"),
    "Morocco": _w("Islam 0.99; Judaism 0.001"),
    "Algeria": _w("Islam 0.99"),
    "Tunisia": _w("Islam 0.99"),
    "Ethiopia": _w("Eastern Orthodoxy 0.43; Islam 0.34; Protestantism 0.19; Catholicism 0.01"),  # Tewahedo
    "Ghana": _w("Protestantism 0.6; Islam 0.2; Catholicism 0.1; Anglicanism 0.02"),
    "Senegal": _w("Islam 0.96; Catholicism 0.04"),
    "Tanzania": _w("Islam 0.35; Protestantism 0.3; Catholicism 0.3; Anglicanism 0.04"),
    "Uganda": _w("Catholicism 0.39; Anglicanism 0.32; Islam 0.14; Protestantism 0.11"),
    "Rwanda": _w("Protestantism 0.5; Catholicism 0.4; Islam 0.02"),
    "Angola": _w("Catholicism 0.41; Protestantism 0.38; atheism 0.12"),
    "Zimbabwe": _w("Protestantism 0.75; atheism 0.1; Catholicism 0.07"),
    "New Zealand": _w("atheism 0.5; Protestantism 0.12; Catholicism 0.1; Anglicanism 0.07; Hinduism 0.027; "
                      "Islam 0.013; Buddhism 0.011; Sikhism 0.01"),
    "Chile": _w("Catholicism 0.54; atheism 0.28; Protestantism 0.16"),
    "Cuba": _w("Catholicism 0.6; atheism 0.23; Protestantism 0.05"),
    "Jamaica": _w("Protestantism 0.65; atheism 0.21; Anglicanism 0.03; Catholicism 0.02"),
    "Saint Kitts and Nevis": _w("Protestantism 0.6; Anglicanism 0.17; Catholicism 0.07"),
    "Venezuela": _w("Catholicism 0.7; Protestantism 0.17; atheism 0.08"),
    "Ecuador": _w("Catholicism 0.8; Protestantism 0.1; atheism 0.08"),
    "Bolivia": _w("Catholicism 0.7; Protestantism 0.2; atheism 0.05"),
    "Uruguay": _w("Catholicism 0.42; atheism 0.37; Protestantism 0.1; Judaism 0.003"),
    "Paraguay": _w("Catholicism 0.87; Protestantism 0.07"),
    "Guatemala": _w("Catholicism 0.45; Protestantism 0.42; atheism 0.12"),
    "Panama": _w("Catholicism 0.63; Protestantism 0.25; atheism 0.07"),
    "Costa Rica": _w("Catholicism 0.52; Protestantism 0.25; atheism 0.17"),
    "Saint Vincent and the Grenadines": _w("Protestantism 0.55; Anglicanism 0.18; Catholicism 0.07"),
    "São Tomé and Príncipe": _w("Catholicism 0.56; atheism 0.2; Protestantism 0.15"),
}

# -- country of citizenship -> sport -----------------------------------------------------------------------
# The one to four most popular sports (by following and participation), 1 for the most popular.
_COUNTRY_SPORT = {
    "France": _w("association football 1; rugby union 0.4; cycling 0.3; tennis 0.2"),
    "Trinidad and Tobago": _w("cricket 1; association football 0.6; track and field 0.4"),
    "Japan": _w("baseball 1; association football 0.6; sumo 0.3"),
    "Bosnia and Herzegovina": _w("association football 1; basketball 0.4; handball 0.2"),
    "Brazil": _w("association football 1; volleyball 0.4; basketball 0.15"),
    "Germany": _w("association football 1; handball 0.3; ice hockey 0.2"),
    "India": _w("cricket 1; association football 0.2; field hockey 0.2; badminton 0.2"),
    "Nigeria": _w("association football 1; track and field 0.3; basketball 0.2"),
    "Canada": _w("ice hockey 1; basketball 0.3; baseball 0.2"),
    "Australia": _w("Australian rules football 1; cricket 0.8; rugby union 0.3"),
    "Mexico": _w("association football 1; baseball 0.3; boxing 0.3"),
    "Egypt": _w("association football 1; handball 0.2"),
    "China": _w("table tennis 1; basketball 0.8; badminton 0.6; association football 0.4"),
    "Italy": _w("association football 1; cycling 0.3; volleyball 0.3"),
    "Spain": _w("association football 1; basketball 0.4; tennis 0.3"),
    "United Kingdom": _w("association football 1; cricket 0.4; rugby union 0.4"),
    "United States": _w("American football 1; basketball 0.8; baseball 0.7"),
    "Argentina": _w("association football 1; basketball 0.3; rugby union 0.3"),
    "Kenya": _w("track and field 1; association football 0.7; rugby union 0.2"),
    "South Africa": _w("association football 1; rugby union 0.8; cricket 0.7"),
    "Sweden": _w("association football 1; ice hockey 0.8; handball 0.3"),
    "Poland": _w("association football 1; volleyball 0.5; ski jumping 0.3"),
    "Turkey": _w("association football 1; basketball 0.4; wrestling 0.3"),
    "Iran": _w("association football 1; wrestling 0.6; volleyball 0.4"),
    "Antigua and Barbuda": _w("cricket 1; association football 0.3"),
    "Indonesia": _w("badminton 1; association football 0.9"),
    "Vietnam": _w("association football 1; badminton 0.3; volleyball 0.2"),
    "Peru": _w("association football 1; volleyball 0.5; surfing 0.2"),
    "Colombia": _w("association football 1; cycling 0.5; baseball 0.2"),
    "Norway": _w("cross-country skiing 1; association football 0.9; alpine skiing 0.4; ski jumping 0.3"),
    "Portugal": _w("association football 1; cycling 0.2; basketball 0.1"),
    "Netherlands": _w("association football 1; speed skating 0.5; field hockey 0.4; cycling 0.3"),
    "Belgium": _w("association football 1; cycling 0.7; tennis 0.2"),
    "Switzerland": _w("association football 1; ice hockey 0.8; alpine skiing 0.6; tennis 0.3"),
    "Austria": _w("alpine skiing 1; association football 0.9; ski jumping 0.3"),
    "Greece": _w("association football 1; basketball 0.8; water polo 0.2"),
    "Ireland": _w("Gaelic football 1; hurling 0.7; association football 0.6; rugby union 0.6"),
    "Denmark": _w("association football 1; handball 0.7; cycling 0.3; badminton 0.3"),
    "Finland": _w("ice hockey 1; association football 0.5; cross-country skiing 0.3"),
    "Iceland": _w("association football 1; handball 0.8"),
    "Russia": _w("association football 1; ice hockey 0.8; figure skating 0.3; chess 0.2"),
    "Ukraine": _w("association football 1; boxing 0.4; basketball 0.2"),
    "Czech Republic": _w("ice hockey 1; association football 0.9; tennis 0.3"),
    "Hungary": _w("association football 1; water polo 0.6; handball 0.4; fencing 0.2"),
    "Romania": _w("association football 1; handball 0.4; tennis 0.3; artistic gymnastics 0.3"),
    "Bulgaria": _w("association football 1; volleyball 0.4; wrestling 0.3"),
    "Serbia": _w("association football 1; basketball 0.9; water polo 0.4; tennis 0.3; volleyball 0.3"),
    "Croatia": _w("association football 1; handball 0.5; basketball 0.4; water polo 0.3"),
    "Slovenia": _w("association football 1; basketball 0.6; ski jumping 0.4; cycling 0.4; alpine skiing 0.3"),
    "Slovakia": _w("ice hockey 1; association football 0.9"),
    "Lithuania": _w("basketball 1; association football 0.4"),
    "Latvia": _w("ice hockey 1; basketball 0.6; association football 0.4"),
    "Estonia": _w("association football 1; basketball 0.5; cross-country skiing 0.3"),
    "Georgia": _w("association football 1; rugby union 0.6; wrestling 0.5; judo 0.4"),
    "Armenia": _w("association football 1; chess 0.6; wrestling 0.4"),
    "Azerbaijan": _w("association football 1; wrestling 0.5; chess 0.3"),
    "Kazakhstan": _w("association football 1; ice hockey 0.4; boxing 0.4"),
    "Uzbekistan": _w("association football 1; boxing 0.4; wrestling 0.3"),
    "Mongolia": _w("wrestling 1; basketball 0.3; judo 0.2"),
    "South Korea": _w("baseball 1; association football 0.9; taekwondo 0.3"),
    "Thailand": _w("association football 1; volleyball 0.4; badminton 0.3"),
    "Philippines": _w("basketball 1; boxing 0.5; volleyball 0.4"),
    "Malaysia": _w("association football 1; badminton 0.9"),
    "Singapore": _w("association football 1; badminton 0.4; swimming 0.3"),
    "Pakistan": _w("cricket 1; field hockey 0.4"),
    "Bangladesh": _w("cricket 1; association football 0.7"),
    "Sri Lanka": _w("cricket 1; volleyball 0.3; rugby union 0.2"),
    "Nepal": _w("association football 1; cricket 0.8; volleyball 0.4"),
    "Saudi Arabia": _w("association football 1; basketball 0.2"),
    "Israel": _w("association football 1; basketball 0.8"),
    "Lebanon": _w("association football 1; basketball 0.9"),
    "Jordan": _w("association football 1; basketball 0.3; taekwondo 0.2"),
    "Iraq": _w("association football 1; volleyball 0.2; wrestling 0.2"),
    "Syria": _w("association football 1; basketball 0.3"),
    "Morocco": _w("association football 1; track and field 0.4; boxing 0.2"),
    "Algeria": _w("association football 1; handball 0.3; boxing 0.2"),
    "Tunisia": _w("association football 1; handball 0.5; volleyball 0.3"),
    "Ethiopia": _w("track and field 1; association football 0.8"),
    "Ghana": _w("association football 1; boxing 0.4; track and field 0.2"),
    "Senegal": _w("association football 1; wrestling 0.7; basketball 0.3"),
    "Tanzania": _w("association football 1; track and field 0.3"),
    "Uganda": _w("association football 1; track and field 0.4; boxing 0.3"),
    "Rwanda": _w("association football 1; cycling 0.5; volleyball 0.3; basketball 0.3"),
    "Angola": _w("association football 1; basketball 0.8; handball 0.3"),
    "Zimbabwe": _w("association football 1; cricket 0.6; rugby union 0.4"),
    "New Zealand": _w("rugby union 1; cricket 0.6; sailing 0.3; rowing 0.2"),
    "Chile": _w("association football 1; tennis 0.4; basketball 0.2"),
    "Cuba": _w("baseball 1; boxing 0.7; volleyball 0.4"),
    "Jamaica": _w("track and field 1; cricket 0.8; association football 0.7"),
    "Saint Kitts and Nevis": _w("cricket 1; track and field 0.4; association football 0.4"),
    "Venezuela": _w("baseball 1; association football 0.7; basketball 0.4"),
    "Ecuador": _w("association football 1; volleyball 0.3"),
    "Bolivia": _w("association football 1; volleyball 0.2"),
    "Uruguay": _w("association football 1; basketball 0.4"),
    "Paraguay": _w("association football 1; volleyball 0.2; basketball 0.2"),
    "Guatemala": _w("association football 1; basketball 0.2"),
    "Panama": _w("baseball 1; association football 0.8; boxing 0.4"),
    "Costa Rica": _w("association football 1; surfing 0.3; cycling 0.3"),
    "Saint Vincent and the Grenadines": _w("cricket 1; association football 0.4; track and field 0.2"),
    "São Tomé and Príncipe": _w("association football 1; basketball 0.2"),
}

# -- country of citizenship -> educated at ----------------------------------------------------------------
# The domain's universities in each country (weight 1 each); the University of the West Indies has
# campuses in Trinidad, Jamaica and Barbados, and smaller ones in the other member states.
_UNIVERSITIES_IN = {
    "United Kingdom": """University of Oxford; London School of Economics and Political Science;
        University of Cambridge; Imperial College London; University of Edinburgh; University College London;
        King's College London; University of Manchester; University of Glasgow""",
    "Japan": """University of Tokyo; Kyoto University; Osaka University; Tohoku University; Waseda University;
        Keio University""",
    "Bosnia and Herzegovina": "University of Sarajevo",
    "France": """Sorbonne University; École Polytechnique; École normale supérieure; Sciences Po;
        University of Strasbourg; Aix-Marseille University; University of Bordeaux; Paris-Saclay University""",
    "United States": """Harvard University; Massachusetts Institute of Technology; Stanford University;
        Columbia University; Yale University; Princeton University; University of Chicago;
        California Institute of Technology; Johns Hopkins University; University of Pennsylvania;
        Cornell University; University of Michigan; Duke University; Northwestern University;
        New York University; University of Washington; University of Notre Dame; Brown University;
        Rice University; University of Texas at Austin; Georgia Institute of Technology;
        Carnegie Mellon University; Vanderbilt University""",
    "Brazil": """University of São Paulo; Federal University of Rio de Janeiro; State University of Campinas;
        University of Brasília; Federal University of Minas Gerais;
        Pontifical Catholic University of Rio de Janeiro""",
    "Germany": """Heidelberg University; Ludwig Maximilian University of Munich; Technical University of Munich;
        Humboldt University of Berlin; Free University of Berlin; University of Göttingen; University of Bonn;
        University of Hamburg""",
    "India": """University of Delhi; Indian Institute of Science; Indian Institute of Technology Bombay;
        Jawaharlal Nehru University; University of Mumbai; University of Calcutta""",
    "Nigeria": "University of Lagos",
    "Canada": """University of Toronto; McGill University; University of British Columbia; University of Montreal;
        University of Alberta""",
    "Australia": """University of Sydney; University of Melbourne; Australian National University;
        University of Queensland; Monash University""",
    "Mexico": """National Autonomous University of Mexico; Monterrey Institute of Technology and Higher Education;
        University of Guadalajara""",
    "Egypt": "Cairo University",
    "China": """Peking University; Tsinghua University; Fudan University; Zhejiang University;
        Shanghai Jiao Tong University; Nanjing University; Wuhan University; University of Hong Kong""",
    "Italy": """Sapienza University of Rome; University of Bologna; University of Padua; University of Milan;
        Polytechnic University of Milan""",
    "Spain": "Complutense University of Madrid; University of Barcelona; Autonomous University of Madrid",
    "Argentina": "University of Buenos Aires; National University of Córdoba; National University of La Plata",
    "Kenya": "University of Nairobi",
    "South Africa": "University of Cape Town; University of the Witwatersrand; Stellenbosch University",
    "Sweden": """Uppsala University; Lund University; Karolinska Institute; Stockholm University;
        Chalmers University of Technology""",
    "Poland": "University of Warsaw; Jagiellonian University",
    "Turkey": "Istanbul University",
    "Iran": "University of Tehran",
    "Indonesia": "University of Indonesia",
    "Vietnam": "Vietnam National University",
    "Peru": "National University of San Marcos",
    "Colombia": "National University of Colombia; University of the Andes",
    "Norway": "University of Oslo; University of Bergen",
    "Portugal": "University of Lisbon; University of Coimbra; University of Porto",
    "Netherlands": """University of Amsterdam; Leiden University; Utrecht University;
        Delft University of Technology; University of Groningen""",
    "Belgium": "KU Leuven; Ghent University",
    "Switzerland": """ETH Zurich; University of Zurich; University of Geneva; University of Basel;
        University of Lausanne; University of Bern""",
    "Austria": "University of Vienna",
    "Greece": "National and Kapodistrian University of Athens",
    "Ireland": "Trinity College Dublin",
    "Denmark": "University of Copenhagen; Aarhus University",
    "Finland": "University of Helsinki",
    "Iceland": "University of Iceland",
    "Russia": "Moscow State University; Saint Petersburg State University",
    "Ukraine": "Taras Shevchenko National University of Kyiv",
    "Czech Republic": "Charles University",
    "Hungary": "Eötvös Loránd University",
    "Romania": "University of Bucharest",
    "Bulgaria": "Sofia University",
    "Serbia": "University of Belgrade",
    "Croatia": "University of Zagreb",
    "Slovenia": "University of Ljubljana",
    "Slovakia": "Comenius University",
    "Lithuania": "Vilnius University",
    "Latvia": "University of Latvia",
    "Estonia": "University of Tartu",
    "Georgia": "Tbilisi State University",
    "Armenia": "Yerevan State University",
    "Azerbaijan": "Baku State University",
    "Kazakhstan": "Al-Farabi Kazakh National University",
    "Mongolia": "National University of Mongolia",
    "South Korea": "Seoul National University; Yonsei University; Korea University",
    "Thailand": "Chulalongkorn University",
    "Philippines": "University of the Philippines",
    "Malaysia": "University of Malaya",
    "Singapore": "National University of Singapore; Nanyang Technological University",
    "Pakistan": "University of Karachi; University of the Punjab",
    "Bangladesh": "University of Dhaka",
    "Sri Lanka": "University of Colombo",
    "Nepal": "Tribhuvan University",
    "Saudi Arabia": "King Saud University",
    "Israel": "Hebrew University of Jerusalem; Tel Aviv University",
    "Lebanon": "American University of Beirut",
    "Jordan": "University of Jordan",
    "Iraq": "University of Baghdad",
    "Syria": "Damascus University",
    "Morocco": "Mohammed V University",
    "Algeria": "University of Algiers",
    "Tunisia": "University of Tunis",
    "Ethiopia": "Addis Ababa University",
    "Ghana": "University of Ghana",
    "Senegal": "Cheikh Anta Diop University",
    "Tanzania": "University of Dar es Salaam",
    "Uganda": "Makerere University",
    "Rwanda": "University of Rwanda",
    "Angola": "Agostinho Neto University",
    "Zimbabwe": "University of Zimbabwe",
    "New Zealand": "University of Auckland; University of Otago",
    "Chile": "University of Chile; Pontifical Catholic University of Chile",
    "Cuba": "University of Havana",
    "Venezuela": "Central University of Venezuela",
    "Ecuador": "Central University of Ecuador",
    "Bolivia": "Higher University of San Andrés",
    "Uruguay": "University of the Republic",
    "Paraguay": "National University of Asunción",
    "Guatemala": "University of San Carlos of Guatemala",
    "Panama": "University of Panama",
    "Costa Rica": "University of Costa Rica",
    "Trinidad and Tobago": "University of the West Indies",
    "Jamaica": "University of the West Indies",
}
_COUNTRY_UNIVERSITY: dict[str, Row] = {
    country: {name.strip(): 1.0 for name in names.split(";") if name.strip()}
    for country, names in _UNIVERSITIES_IN.items()
}
for _country in ("Antigua and Barbuda", "Saint Kitts and Nevis", "Saint Vincent and the Grenadines"):
    _COUNTRY_UNIVERSITY[_country] = {"University of the West Indies": 1.0}  # its Five Islands and open campuses
del _country

# -- educated at -> field of work ----------------------------------------------------------------------------
# A comprehensive university gets a broad spread plus its known strengths; specialised schools (technical
# universities, the LSE, the Karolinska Institute, Sciences Po...) only their strengths.
_BROAD = _w("""law 0.5; medicine 0.5; economics 0.4; history 0.4; literature 0.4; physics 0.3; chemistry 0.3;
    mathematics 0.3; biology 0.3; political science 0.3; philosophy 0.2; linguistics 0.2; sociology 0.2;
    psychology 0.2; computer science 0.2; engineering 0.2; education 0.2; business administration 0.2""")


def _broad(strengths: str) -> Row:
    return _plus(_BROAD, _w(strengths))


_UNIVERSITY_FIELD = {
    "University of Oxford": _broad("philosophy 1; history 1; classics 0.8; literature 0.8; law 0.8; "
                                   "political science 0.8; economics 0.6; medicine 0.6; mathematics 0.6; "
                                   "theology 0.5; physics 0.5; chemistry 0.5"),
    "London School of Economics and Political Science": _w(
        "economics 1; political science 0.9; international relations 0.7; law 0.6; sociology 0.5; "
        "public administration 0.4; statistics 0.3; anthropology 0.3; business administration 0.3; history 0.2; "
        "philosophy 0.2; geography 0.2"),
    "University of Tokyo": _broad("law 0.8; engineering 0.7; physics 0.6; medicine 0.5; economics 0.5; "
                                  "public administration 0.4; political science 0.3; mathematics 0.3"),
    "University of Sarajevo": _broad("law 0.5; medicine 0.5; engineering 0.3; philosophy 0.2"),
    "Sorbonne University": _w("literature 0.9; history 0.8; medicine 0.7; philosophy 0.6; physics 0.6; "
                              "mathematics 0.6; chemistry 0.5; biology 0.5; linguistics 0.5; art history 0.5; "
                              "classics 0.4; musicology 0.3; geography 0.3; oceanography 0.2"),
    "Harvard University": _broad("law 0.9; medicine 0.8; economics 0.8; business administration 0.8; "
                                 "political science 0.7; history 0.5; public administration 0.5; physics 0.5; "
                                 "biology 0.5; public health 0.4; chemistry 0.4; psychology 0.3"),
    "University of Cambridge": _broad("mathematics 1; physics 0.9; chemistry 0.7; biology 0.7; history 0.6; "
                                      "literature 0.6; economics 0.5; classics 0.5; philosophy 0.5; law 0.5; "
                                      "engineering 0.4; computer science 0.4; astronomy 0.4; genetics 0.3"),
    "Massachusetts Institute of Technology": _w(
        "physics 1; engineering 1; computer science 1; electrical engineering 0.9; mathematics 0.8; "
        "economics 0.6; chemical engineering 0.6; chemistry 0.5; biology 0.5; materials science 0.5; "
        "architecture 0.4; linguistics 0.3; neuroscience 0.3; civil engineering 0.3; urban planning 0.3"),
    "Stanford University": _w(
        "computer science 1; engineering 0.8; electrical engineering 0.7; business administration 0.6; "
        "economics 0.6; physics 0.6; mathematics 0.5; medicine 0.5; psychology 0.5; biology 0.5; law 0.4; "
        "statistics 0.4; political science 0.3"),
    "University of São Paulo": _broad("medicine 0.7; law 0.7; engineering 0.6; architecture 0.3; agriculture 0.3"),
    "Heidelberg University": _broad("medicine 0.9; philosophy 0.6; law 0.6; chemistry 0.6; physics 0.5; "
                                    "history 0.4; theology 0.4; biology 0.4; astronomy 0.3"),
    "University of Delhi": _broad("history 0.7; economics 0.7; political science 0.6; literature 0.6; law 0.5; "
                                  "business administration 0.4"),
    "University of Lagos": _broad("law 0.7; medicine 0.6; engineering 0.5; business administration 0.4; "
                                  "journalism 0.3"),
    "University of Toronto": _broad("medicine 0.8; computer science 0.6; engineering 0.5; psychology 0.4; "
                                    "law 0.4; economics 0.4; literature 0.3"),
    "University of Sydney": _broad("medicine 0.7; law 0.7; engineering 0.4; veterinary medicine 0.3; "
                                   "architecture 0.3"),
    "National Autonomous University of Mexico": _broad("law 0.7; medicine 0.6; engineering 0.5; architecture 0.4; "
                                                       "philosophy 0.4; film 0.2"),
    "Cairo University": _broad("medicine 0.8; law 0.7; engineering 0.6; literature 0.4; economics 0.4; "
                               "political science 0.4; journalism 0.3; pharmacology 0.3; dentistry 0.2"),
    "Peking University": _broad("mathematics 0.7; physics 0.6; economics 0.6; literature 0.6; history 0.5; "
                                "philosophy 0.5; law 0.5; chemistry 0.5; biology 0.4; archaeology 0.3"),
    "Sapienza University of Rome": _broad("medicine 0.8; law 0.6; engineering 0.6; physics 0.6; architecture 0.5; "
                                          "archaeology 0.4; classics 0.4; mathematics 0.4"),
    "Complutense University of Madrid": _broad("law 0.7; medicine 0.7; literature 0.5; history 0.5; journalism 0.5; "
                                               "political science 0.5; philosophy 0.4; psychology 0.4; "
                                               "economics 0.4; pharmacology 0.3; veterinary medicine 0.3"),
    "Imperial College London": _w(
        "engineering 1; medicine 0.9; physics 0.8; chemistry 0.7; computer science 0.7; mathematics 0.6; "
        "electrical engineering 0.6; chemical engineering 0.6; civil engineering 0.5; materials science 0.5; "
        "biology 0.5; public health 0.4; business administration 0.2"),
    "Columbia University": _broad("journalism 0.9; law 0.8; medicine 0.6; economics 0.6; political science 0.6; "
                                  "international relations 0.5; history 0.5; literature 0.5; "
                                  "business administration 0.5; physics 0.5; architecture 0.4; public health 0.4; "
                                  "anthropology 0.4; sociology 0.4"),
    "University of Buenos Aires": _broad("law 0.8; medicine 0.8; psychology 0.6; economics 0.5; architecture 0.4; "
                                         "engineering 0.4; philosophy 0.4; sociology 0.4"),
    "University of Nairobi": _broad("law 0.6; medicine 0.6; engineering 0.5; agriculture 0.4; economics 0.4; "
                                    "veterinary medicine 0.3; journalism 0.3"),
    "University of Cape Town": _broad("medicine 0.8; law 0.6; economics 0.5; engineering 0.5; biology 0.5; "
                                      "ecology 0.4; business administration 0.4; astronomy 0.3; music 0.2"),
    "Uppsala University": _broad("medicine 0.6; theology 0.5; law 0.5; physics 0.5; chemistry 0.5; biology 0.5; "
                                 "pharmacology 0.4; history 0.4; linguistics 0.4; astronomy 0.3; "
                                 "international relations 0.3"),
    "University of Warsaw": _broad("law 0.6; economics 0.5; history 0.5; mathematics 0.5; physics 0.4; "
                                   "linguistics 0.4; literature 0.4; sociology 0.4; political science 0.4; "
                                   "journalism 0.3; international relations 0.3"),
    "Istanbul University": _broad("medicine 0.8; law 0.7; literature 0.4; economics 0.4; history 0.4; "
                                  "pharmacology 0.3; dentistry 0.3; journalism 0.3; veterinary medicine 0.2"),
    "University of Tehran": _broad("engineering 0.6; law 0.6; medicine 0.5; political science 0.4; "
                                   "literature 0.4; theology 0.4; economics 0.4; chemistry 0.3; physics 0.3"),
    "University of the West Indies": _broad("medicine 0.6; law 0.6; agriculture 0.4; engineering 0.4; "
                                            "economics 0.4; history 0.4; political science 0.3; literature 0.3; "
                                            "education 0.3; international relations 0.3"),
    "University of Indonesia": _broad("medicine 0.6; law 0.6; economics 0.5; engineering 0.5; public health 0.4; "
                                      "political science 0.3; psychology 0.3; dentistry 0.3"),
    "Vietnam National University": _broad("mathematics 0.5; physics 0.4; law 0.4; economics 0.4; "
                                          "international relations 0.3; literature 0.3; history 0.3; "
                                          "computer science 0.3; journalism 0.3"),
    "National University of San Marcos": _broad("medicine 0.7; law 0.7; literature 0.4; history 0.4; "
                                                "engineering 0.4; economics 0.3; anthropology 0.3; "
                                                "archaeology 0.3; geology 0.3"),
    "Yale University": _broad("law 0.9; history 0.6; literature 0.5; political science 0.5; economics 0.5; "
                              "medicine 0.5; music 0.4; theatre 0.4; architecture 0.4; theology 0.4; "
                              "philosophy 0.4; painting 0.3; art history 0.3; classics 0.3; public health 0.3"),
    "Princeton University": _w(
        "mathematics 0.9; physics 0.9; economics 0.7; history 0.5; philosophy 0.5; political science 0.5; "
        "public administration 0.5; international relations 0.5; astronomy 0.4; computer science 0.4; "
        "literature 0.4; chemistry 0.3; biology 0.3; engineering 0.3; sociology 0.3; classics 0.3; "
        "architecture 0.3"),
    "University of Chicago": _broad("economics 1; physics 0.6; sociology 0.6; law 0.6; mathematics 0.5; "
                                    "political science 0.5; business administration 0.5; anthropology 0.4; "
                                    "philosophy 0.4; history 0.4; statistics 0.3; theology 0.3; astronomy 0.3"),
    "California Institute of Technology": _w(
        "physics 1; astronomy 0.8; engineering 0.7; chemistry 0.6; mathematics 0.5; biology 0.5; geology 0.5; "
        "computer science 0.4; electrical engineering 0.4"),
    "Johns Hopkins University": _w(
        "medicine 1; public health 0.9; biology 0.5; neuroscience 0.5; international relations 0.5; "
        "physics 0.4; astronomy 0.4; engineering 0.4; nursing 0.4; economics 0.3; history 0.3; "
        "political science 0.3; music 0.3; mathematics 0.3"),
    "University of Pennsylvania": _broad("business administration 0.8; medicine 0.6; economics 0.6; law 0.5; "
                                         "nursing 0.5; veterinary medicine 0.4; engineering 0.3; "
                                         "architecture 0.3; urban planning 0.3"),
    "Cornell University": _broad("agriculture 0.7; veterinary medicine 0.6; engineering 0.6; architecture 0.5; "
                                 "ecology 0.4; computer science 0.4; astronomy 0.3; law 0.3"),
    "University of Michigan": _broad("engineering 0.6; medicine 0.5; law 0.5; psychology 0.5; "
                                     "business administration 0.5; public health 0.4; political science 0.4"),
    "Duke University": _broad("medicine 0.7; law 0.5; public administration 0.4; economics 0.4; biology 0.4; "
                              "business administration 0.4; ecology 0.3; nursing 0.3"),
    "Northwestern University": _broad("journalism 0.7; business administration 0.5; theatre 0.4; economics 0.4; "
                                      "law 0.4; medicine 0.4; engineering 0.4"),
    "New York University": _broad("film 0.6; law 0.5; business administration 0.5; theatre 0.4; medicine 0.4; "
                                  "mathematics 0.4; journalism 0.3; dance 0.2; photography 0.2"),
    "University of Washington": _broad("medicine 0.7; computer science 0.6; public health 0.5; engineering 0.5; "
                                       "oceanography 0.4; nursing 0.4; biology 0.4"),
    "University of Edinburgh": _broad("medicine 0.8; philosophy 0.5; linguistics 0.5; computer science 0.5; "
                                      "law 0.4; veterinary medicine 0.4; physics 0.4; theology 0.4; history 0.4; "
                                      "literature 0.4"),
    "University College London": _broad("medicine 0.8; architecture 0.6; neuroscience 0.6; law 0.5; "
                                         "economics 0.5; engineering 0.4; archaeology 0.4; history 0.4; "
                                         "urban planning 0.3; anthropology 0.3; public health 0.3; geography 0.3; "
                                         "painting 0.2; sculpture 0.2"),
    "King's College London": _w(
        "medicine 0.8; law 0.6; nursing 0.6; dentistry 0.5; international relations 0.5; psychology 0.5; "
        "history 0.4; pharmacology 0.4; political science 0.4; theology 0.3; literature 0.3; classics 0.3; "
        "physics 0.3; neuroscience 0.3; biology 0.3; chemistry 0.2; philosophy 0.3; economics 0.2"),
    "University of Manchester": _broad("physics 0.6; engineering 0.6; chemistry 0.5; materials science 0.5; "
                                       "computer science 0.5; medicine 0.5; economics 0.4; "
                                       "business administration 0.4; chemical engineering 0.4; sociology 0.3"),
    "University of Glasgow": _broad("medicine 0.6; law 0.5; engineering 0.5; veterinary medicine 0.4; "
                                    "economics 0.4; philosophy 0.3; physics 0.3; history 0.3"),
    "Trinity College Dublin": _broad("literature 0.7; history 0.5; law 0.5; medicine 0.5; philosophy 0.4; "
                                     "classics 0.3; engineering 0.3; political science 0.3; theology 0.2"),
    "ETH Zurich": _w(
        "engineering 1; physics 0.9; chemistry 0.8; mathematics 0.8; computer science 0.8; architecture 0.6; "
        "electrical engineering 0.6; civil engineering 0.6; materials science 0.5; chemical engineering 0.4; "
        "environmental science 0.4; geology 0.3; agriculture 0.2"),
    "University of Zurich": _broad("medicine 0.7; law 0.6; economics 0.5; theology 0.3; neuroscience 0.3; "
                                   "veterinary medicine 0.3; physics 0.3; linguistics 0.3"),
    "University of Geneva": _broad("international relations 0.7; law 0.6; physics 0.5; medicine 0.5; "
                                   "psychology 0.5; economics 0.4; political science 0.4; astronomy 0.3; "
                                   "linguistics 0.3"),
    "University of Vienna": _broad("philosophy 0.7; medicine 0.5; law 0.5; physics 0.5; psychology 0.4; "
                                   "mathematics 0.4; history 0.4; economics 0.4; art history 0.4; musicology 0.3"),
    "Charles University": _broad("medicine 0.6; law 0.5; philosophy 0.5; history 0.5; literature 0.4; "
                                 "mathematics 0.4; physics 0.3; theology 0.3; chemistry 0.3"),
    "University of Copenhagen": _broad("physics 0.7; medicine 0.6; theology 0.4; law 0.4; economics 0.4; "
                                       "biology 0.4; chemistry 0.4; philosophy 0.3; pharmacology 0.3"),
    "University of Helsinki": _broad("medicine 0.5; law 0.5; computer science 0.4; agriculture 0.4; "
                                     "linguistics 0.4; theology 0.3; biology 0.3; veterinary medicine 0.3"),
    "University of Oslo": _broad("medicine 0.5; law 0.5; political science 0.4; economics 0.4; physics 0.3; "
                                 "linguistics 0.3; history 0.3; theology 0.3; dentistry 0.3; "
                                 "international relations 0.3"),
    "Lund University": _broad("medicine 0.5; engineering 0.5; law 0.4; economics 0.4; physics 0.4; biology 0.3; "
                              "astronomy 0.2"),
    "Karolinska Institute": _w("medicine 1; neuroscience 0.5; genetics 0.4; public health 0.4; pharmacology 0.4; "
                               "biology 0.4; dentistry 0.3; nursing 0.3"),
    "KU Leuven": _broad("theology 0.6; philosophy 0.6; medicine 0.6; law 0.5; engineering 0.5; economics 0.4; "
                        "psychology 0.4"),
    "University of Amsterdam": _broad("economics 0.5; law 0.5; sociology 0.5; psychology 0.5; "
                                      "political science 0.4; medicine 0.4; philosophy 0.3; journalism 0.3; "
                                      "computer science 0.3; mathematics 0.3; art history 0.3"),
    "Leiden University": _broad("law 0.7; history 0.5; archaeology 0.5; linguistics 0.5; astronomy 0.5; "
                                "medicine 0.4; physics 0.4; international relations 0.3; anthropology 0.3; "
                                "classics 0.3"),
    "Utrecht University": _broad("medicine 0.5; veterinary medicine 0.5; chemistry 0.4; geography 0.4; law 0.4; "
                                 "psychology 0.4; geology 0.3; mathematics 0.3; physics 0.3; "
                                 "environmental science 0.3; pharmacology 0.3"),
    "Delft University of Technology": _w(
        "engineering 1; civil engineering 0.8; architecture 0.7; electrical engineering 0.6; "
        "materials science 0.5; computer science 0.5; chemical engineering 0.4; physics 0.4; mathematics 0.3; "
        "urban planning 0.3"),
    "Ludwig Maximilian University of Munich": _broad("medicine 0.6; physics 0.6; law 0.5; economics 0.5; "
                                                     "chemistry 0.4; history 0.4; philosophy 0.4; biology 0.4; "
                                                     "literature 0.4; art history 0.3; veterinary medicine 0.3; "
                                                     "theology 0.3"),
    "Technical University of Munich": _w(
        "engineering 1; physics 0.7; computer science 0.7; chemistry 0.6; electrical engineering 0.6; "
        "civil engineering 0.5; architecture 0.5; mathematics 0.5; medicine 0.4; materials science 0.4; "
        "chemical engineering 0.3; agriculture 0.3"),
    "Humboldt University of Berlin": _broad("philosophy 0.6; history 0.6; law 0.5; physics 0.5; medicine 0.5; "
                                            "literature 0.4; economics 0.4; theology 0.3; agriculture 0.2"),
    "Free University of Berlin": _broad("political science 0.5; history 0.4; literature 0.4; law 0.4; "
                                        "medicine 0.4; philosophy 0.3; veterinary medicine 0.3; journalism 0.2"),
    "University of Göttingen": _broad("mathematics 0.8; physics 0.8; chemistry 0.5; law 0.4; philosophy 0.4; "
                                      "linguistics 0.3; theology 0.3; biology 0.3; agriculture 0.3"),
    "University of Bonn": _broad("mathematics 0.7; economics 0.6; law 0.5; theology 0.4; physics 0.4; "
                                 "medicine 0.4; astronomy 0.3; agriculture 0.3"),
    "University of Hamburg": _broad("law 0.5; economics 0.5; physics 0.4; medicine 0.4; oceanography 0.4; "
                                    "meteorology 0.4; journalism 0.3; linguistics 0.3; art history 0.3"),
    "University of Bologna": _broad("law 0.9; medicine 0.6; literature 0.4; economics 0.4; engineering 0.4; "
                                    "philosophy 0.4; history 0.3; agriculture 0.3; veterinary medicine 0.3"),
    "University of Padua": _broad("medicine 0.7; law 0.4; physics 0.4; astronomy 0.4; mathematics 0.4; "
                                  "engineering 0.4; psychology 0.4; agriculture 0.3; pharmacology 0.3"),
    "University of Milan": _broad("medicine 0.6; law 0.6; economics 0.5; physics 0.4; chemistry 0.4; "
                                  "pharmacology 0.4; literature 0.3; veterinary medicine 0.3; agriculture 0.3"),
    "Polytechnic University of Milan": _w(
        "engineering 1; architecture 0.9; civil engineering 0.7; electrical engineering 0.6; "
        "graphic design 0.5; urban planning 0.5; fashion design 0.4; chemical engineering 0.4; "
        "materials science 0.4; computer science 0.4; physics 0.3"),
    "University of Barcelona": _broad("medicine 0.6; law 0.5; economics 0.5; history 0.4; psychology 0.4; "
                                      "literature 0.4; pharmacology 0.3; linguistics 0.3; art history 0.3"),
    "Autonomous University of Madrid": _broad("law 0.5; medicine 0.5; economics 0.5; physics 0.4; chemistry 0.4; "
                                              "biology 0.4; philosophy 0.3; mathematics 0.3"),
    "University of Lisbon": _broad("law 0.6; medicine 0.6; engineering 0.6; architecture 0.4; economics 0.4; "
                                   "veterinary medicine 0.3; pharmacology 0.3; literature 0.3"),
    "University of Coimbra": _broad("law 0.8; medicine 0.6; literature 0.4; pharmacology 0.3; engineering 0.3; "
                                    "mathematics 0.3"),
    "University of Porto": _broad("engineering 0.6; medicine 0.6; architecture 0.6; economics 0.4; "
                                  "pharmacology 0.3; dentistry 0.3; painting 0.2; sculpture 0.2"),
    "National and Kapodistrian University of Athens": _broad(
        "law 0.6; medicine 0.6; classics 0.6; theology 0.5; history 0.5; philosophy 0.4; archaeology 0.4; "
        "literature 0.4; political science 0.4; dentistry 0.3; pharmacology 0.3"),
    "Jagiellonian University": _broad("medicine 0.5; law 0.5; history 0.5; astronomy 0.4; philosophy 0.4; "
                                      "literature 0.4; physics 0.3; mathematics 0.3; chemistry 0.3; "
                                      "pharmacology 0.3"),
    "Eötvös Loránd University": _broad("mathematics 0.6; physics 0.5; law 0.5; literature 0.4; linguistics 0.4; "
                                       "history 0.4; psychology 0.4; computer science 0.3"),
    "University of Bucharest": _broad("law 0.5; history 0.4; literature 0.4; philosophy 0.4; physics 0.3; "
                                      "mathematics 0.3; chemistry 0.3; journalism 0.3; political science 0.3"),
    "Sofia University": _broad("law 0.5; history 0.4; literature 0.4; linguistics 0.3; mathematics 0.3; "
                               "physics 0.3; journalism 0.3; theology 0.3"),
    "University of Belgrade": _broad("law 0.6; medicine 0.5; engineering 0.5; philosophy 0.4; economics 0.4; "
                                     "political science 0.4; architecture 0.3; mathematics 0.3; history 0.3"),
    "University of Zagreb": _broad("medicine 0.5; law 0.5; engineering 0.5; economics 0.4; philosophy 0.3; "
                                   "history 0.3; architecture 0.3; veterinary medicine 0.3; agriculture 0.3"),
    "University of Ljubljana": _broad("law 0.4; medicine 0.4; engineering 0.4; economics 0.4; philosophy 0.4; "
                                      "architecture 0.3; sociology 0.3"),
    "Comenius University": _broad("medicine 0.5; law 0.5; mathematics 0.4; physics 0.4; pharmacology 0.3; "
                                  "philosophy 0.3; journalism 0.3"),
    "Vilnius University": _broad("law 0.4; medicine 0.4; history 0.4; mathematics 0.3; physics 0.3; "
                                 "economics 0.3; philosophy 0.3; literature 0.3; linguistics 0.3"),
    "University of Tartu": _broad("medicine 0.5; law 0.4; linguistics 0.4; astronomy 0.3; theology 0.3; "
                                  "biology 0.3; computer science 0.3"),
    "University of Latvia": _broad("law 0.4; economics 0.4; physics 0.3; chemistry 0.3; linguistics 0.3; "
                                   "history 0.3"),
    "Moscow State University": _broad("mathematics 0.9; physics 0.9; chemistry 0.6; law 0.5; economics 0.5; "
                                      "journalism 0.5; history 0.5; biology 0.4; geology 0.4; philosophy 0.4; "
                                      "literature 0.4; linguistics 0.4; computer science 0.4; astronomy 0.3; "
                                      "geography 0.3"),
    "Saint Petersburg State University": _broad("mathematics 0.7; law 0.7; physics 0.6; chemistry 0.5; "
                                                "history 0.4; linguistics 0.4; economics 0.4; literature 0.4; "
                                                "philosophy 0.3; biology 0.3; international relations 0.3"),
    "Taras Shevchenko National University of Kyiv": _broad("law 0.5; international relations 0.4; history 0.4; "
                                                           "physics 0.4; mathematics 0.4; journalism 0.3; "
                                                           "philosophy 0.3; economics 0.3; literature 0.3; "
                                                           "geology 0.2"),
    "Tbilisi State University": _broad("law 0.5; history 0.4; medicine 0.4; literature 0.4; physics 0.3; "
                                       "economics 0.3; linguistics 0.3"),
    "Yerevan State University": _broad("mathematics 0.4; physics 0.4; law 0.4; history 0.4; linguistics 0.3; "
                                       "literature 0.3; chemistry 0.3; theology 0.2"),
    "Baku State University": _broad("law 0.5; economics 0.4; history 0.3; chemistry 0.3; geology 0.3; "
                                    "international relations 0.3; literature 0.3; journalism 0.3"),
    "Al-Farabi Kazakh National University": _broad("law 0.4; economics 0.4; physics 0.3; chemistry 0.3; "
                                                   "international relations 0.3; journalism 0.3; "
                                                   "mathematics 0.3"),
    "National University of Mongolia": _broad("law 0.4; economics 0.4; international relations 0.3; history 0.3; "
                                              "mathematics 0.3; physics 0.3; geology 0.3; "
                                              "business administration 0.3"),
    "Seoul National University": _broad("law 0.6; medicine 0.6; engineering 0.6; economics 0.5; physics 0.4; "
                                        "computer science 0.4; business administration 0.4; "
                                        "political science 0.4; music 0.3; painting 0.2"),
    "Yonsei University": _broad("medicine 0.7; business administration 0.5; economics 0.4; law 0.4; "
                                "engineering 0.4; theology 0.3; international relations 0.3"),
    "Korea University": _broad("law 0.6; business administration 0.6; political science 0.4; economics 0.4; "
                               "engineering 0.4; medicine 0.4; journalism 0.3"),
    "Kyoto University": _broad("physics 0.8; chemistry 0.7; mathematics 0.6; medicine 0.6; biology 0.5; "
                               "philosophy 0.5; law 0.5; engineering 0.4; anthropology 0.3; agriculture 0.3"),
    "Osaka University": _broad("medicine 0.6; engineering 0.6; physics 0.4; chemistry 0.4; economics 0.4; "
                               "dentistry 0.3; pharmacology 0.3; law 0.3; linguistics 0.3"),
    "Tohoku University": _broad("materials science 0.7; engineering 0.6; physics 0.5; chemistry 0.5; "
                                "medicine 0.5; electrical engineering 0.4; geology 0.3"),
    "Waseda University": _broad("political science 0.7; economics 0.6; literature 0.6; law 0.5; "
                                "business administration 0.5; journalism 0.4; engineering 0.4; architecture 0.3; "
                                "theatre 0.3; film 0.2"),
    "Keio University": _broad("economics 0.7; business administration 0.6; law 0.6; medicine 0.5; "
                              "political science 0.4; literature 0.3; engineering 0.3"),
    "Tsinghua University": _w(
        "engineering 1; computer science 0.8; physics 0.6; architecture 0.6; electrical engineering 0.6; "
        "civil engineering 0.5; mathematics 0.5; economics 0.4; business administration 0.4; "
        "chemical engineering 0.4; materials science 0.4; chemistry 0.4; public administration 0.3; law 0.3"),
    "Fudan University": _broad("medicine 0.6; economics 0.6; journalism 0.5; literature 0.5; "
                               "international relations 0.4; mathematics 0.4; physics 0.4; history 0.4; law 0.4; "
                               "public health 0.3; philosophy 0.3"),
    "Zhejiang University": _broad("engineering 0.7; computer science 0.6; agriculture 0.5; medicine 0.5; "
                                  "chemistry 0.4; mathematics 0.4; economics 0.3"),
    "Shanghai Jiao Tong University": _w(
        "engineering 0.9; medicine 0.6; electrical engineering 0.5; computer science 0.5; "
        "business administration 0.5; economics 0.4; physics 0.4; materials science 0.4; "
        "civil engineering 0.4; mathematics 0.3; chemical engineering 0.3; law 0.2"),
    "Nanjing University": _broad("physics 0.5; chemistry 0.5; astronomy 0.5; literature 0.5; geology 0.4; "
                                 "history 0.4; mathematics 0.4; meteorology 0.3; geography 0.3; philosophy 0.3"),
    "Wuhan University": _broad("law 0.6; geography 0.5; engineering 0.5; medicine 0.4; economics 0.4; "
                               "literature 0.4; history 0.3; philosophy 0.3; computer science 0.3; chemistry 0.3"),
    "National Taiwan University": _broad("medicine 0.6; electrical engineering 0.6; law 0.5; engineering 0.5; "
                                         "physics 0.4; economics 0.4; agriculture 0.4; chemistry 0.4; "
                                         "computer science 0.4; political science 0.3"),
    "University of Hong Kong": _broad("medicine 0.6; law 0.6; business administration 0.5; architecture 0.4; "
                                      "dentistry 0.4; economics 0.4; engineering 0.4; public health 0.3; "
                                      "education 0.3; journalism 0.2"),
    "Chulalongkorn University": _broad("medicine 0.6; engineering 0.6; law 0.4; architecture 0.4; "
                                       "political science 0.4; economics 0.4; business administration 0.4; "
                                       "veterinary medicine 0.3; dentistry 0.3; pharmacology 0.3"),
    "University of the Philippines": _broad("law 0.6; medicine 0.6; engineering 0.5; political science 0.4; "
                                            "economics 0.4; public administration 0.4; agriculture 0.3; "
                                            "journalism 0.3; film 0.2"),
    "University of Malaya": _broad("medicine 0.6; law 0.5; engineering 0.5; economics 0.4; "
                                   "business administration 0.4; dentistry 0.3; education 0.3; linguistics 0.3"),
    "National University of Singapore": _broad("engineering 0.6; medicine 0.6; computer science 0.6; law 0.5; "
                                               "business administration 0.5; economics 0.4; "
                                               "public administration 0.3; architecture 0.3; public health 0.3; "
                                               "mathematics 0.3"),
    "Nanyang Technological University": _w(
        "engineering 1; computer science 0.7; electrical engineering 0.6; business administration 0.5; "
        "materials science 0.5; civil engineering 0.4; journalism 0.3; mathematics 0.3; physics 0.3; "
        "chemical engineering 0.3; education 0.3"),
    "Indian Institute of Science": _w(
        "physics 0.8; chemistry 0.7; engineering 0.7; biology 0.6; mathematics 0.5; computer science 0.5; "
        "materials science 0.5; electrical engineering 0.4; civil engineering 0.3; ecology 0.3"),
    "Indian Institute of Technology Bombay": _w(
        "engineering 1; computer science 0.9; electrical engineering 0.8; civil engineering 0.6; "
        "chemical engineering 0.6; materials science 0.4; physics 0.4; mathematics 0.4; "
        "business administration 0.2; graphic design 0.2"),
    "Jawaharlal Nehru University": _w(
        "political science 0.8; international relations 0.8; history 0.7; economics 0.6; sociology 0.6; "
        "linguistics 0.5; literature 0.4; philosophy 0.4; biology 0.3; environmental science 0.3; "
        "anthropology 0.2"),
    "University of Mumbai": _broad("law 0.5; economics 0.5; business administration 0.5; medicine 0.4; "
                                   "chemical engineering 0.4; literature 0.3; journalism 0.3"),
    "University of Calcutta": _broad("literature 0.6; physics 0.6; mathematics 0.5; history 0.5; economics 0.5; "
                                     "philosophy 0.4; medicine 0.4; law 0.4; chemistry 0.4; "
                                     "political science 0.4; statistics 0.3"),
    "University of Dhaka": _broad("law 0.5; economics 0.5; medicine 0.4; physics 0.4; literature 0.4; "
                                  "political science 0.4; history 0.3; public administration 0.3; journalism 0.3"),
    "University of Karachi": _broad("medicine 0.5; business administration 0.5; law 0.4; economics 0.4; "
                                    "pharmacology 0.4; chemistry 0.4; journalism 0.3; international relations 0.3"),
    "University of the Punjab": _broad("law 0.5; literature 0.4; economics 0.4; medicine 0.4; history 0.4; "
                                       "political science 0.4; chemistry 0.3; journalism 0.3; pharmacology 0.3; "
                                       "painting 0.2"),
    "University of Colombo": _broad("medicine 0.6; law 0.5; economics 0.4; business administration 0.4; "
                                    "statistics 0.3; political science 0.3; history 0.3"),
    "Tribhuvan University": _broad("medicine 0.5; engineering 0.5; law 0.4; agriculture 0.4; economics 0.4; "
                                   "education 0.4; political science 0.3; geology 0.3; environmental science 0.3"),
    "King Saud University": _broad("medicine 0.6; engineering 0.6; pharmacology 0.4; dentistry 0.4; "
                                   "business administration 0.4; computer science 0.4; theology 0.3; "
                                   "agriculture 0.3; law 0.3"),
    "Hebrew University of Jerusalem": _broad("law 0.6; history 0.5; philosophy 0.5; mathematics 0.5; "
                                             "medicine 0.5; economics 0.5; theology 0.5; political science 0.4; "
                                             "archaeology 0.4; agriculture 0.4; linguistics 0.3; "
                                             "international relations 0.3"),
    "Tel Aviv University": _broad("law 0.5; medicine 0.5; computer science 0.5; engineering 0.4; economics 0.4; "
                                  "business administration 0.4; psychology 0.4; mathematics 0.4; physics 0.4; "
                                  "political science 0.3; film 0.3; theatre 0.2"),
    "American University of Beirut": _broad("medicine 0.7; engineering 0.5; business administration 0.5; "
                                            "public health 0.5; political science 0.4; economics 0.4; "
                                            "architecture 0.3; agriculture 0.3; nursing 0.3; "
                                            "international relations 0.3"),
    "University of Jordan": _broad("medicine 0.5; engineering 0.5; law 0.5; pharmacology 0.4; "
                                   "business administration 0.4; dentistry 0.3; theology 0.3; literature 0.3; "
                                   "nursing 0.3"),
    "University of Baghdad": _broad("medicine 0.6; engineering 0.5; law 0.5; literature 0.4; "
                                    "political science 0.3; economics 0.3; pharmacology 0.3; dentistry 0.3; "
                                    "history 0.3"),
    "Damascus University": _broad("medicine 0.6; law 0.5; engineering 0.5; literature 0.4; architecture 0.3; "
                                  "pharmacology 0.3; dentistry 0.3; theology 0.3; economics 0.3"),
    "Mohammed V University": _broad("law 0.6; medicine 0.5; economics 0.4; political science 0.4; "
                                    "literature 0.4; history 0.3; engineering 0.3; linguistics 0.3"),
    "University of Algiers": _broad("law 0.6; medicine 0.5; political science 0.4; literature 0.4; "
                                    "economics 0.4; journalism 0.3; history 0.3"),
    "University of Tunis": _broad("literature 0.5; history 0.4; law 0.4; linguistics 0.3; philosophy 0.3; "
                                  "economics 0.3; geography 0.3; sociology 0.3"),
    "Addis Ababa University": _broad("medicine 0.5; law 0.4; engineering 0.4; economics 0.4; public health 0.4; "
                                     "agriculture 0.3; political science 0.3; history 0.3; "
                                     "business administration 0.3"),
    "University of Ghana": _broad("law 0.5; medicine 0.4; business administration 0.4; economics 0.4; "
                                  "agriculture 0.4; political science 0.3; public health 0.3; "
                                  "international relations 0.3; music 0.2"),
    "Cheikh Anta Diop University": _broad("law 0.5; medicine 0.5; history 0.4; literature 0.4; economics 0.4; "
                                          "journalism 0.3; linguistics 0.3"),
    "University of Dar es Salaam": _broad("law 0.5; economics 0.4; engineering 0.4; political science 0.4; "
                                          "history 0.3; business administration 0.3; education 0.3"),
    "Makerere University": _broad("medicine 0.6; law 0.5; agriculture 0.4; public health 0.4; economics 0.4; "
                                  "veterinary medicine 0.3; literature 0.3; journalism 0.3; engineering 0.3; "
                                  "political science 0.3; painting 0.2"),
    "University of Rwanda": _broad("medicine 0.4; engineering 0.4; agriculture 0.4; business administration 0.4; "
                                   "education 0.4; economics 0.3; public health 0.3; law 0.3"),
    "Agostinho Neto University": _broad("law 0.5; medicine 0.5; engineering 0.5; economics 0.4; geology 0.3; "
                                        "chemistry 0.3"),
    "University of Zimbabwe": _broad("medicine 0.5; law 0.5; agriculture 0.4; economics 0.4; "
                                     "veterinary medicine 0.3; engineering 0.3; political science 0.3"),
    "University of the Witwatersrand": _broad("medicine 0.6; engineering 0.6; law 0.5; geology 0.5; "
                                              "business administration 0.4; economics 0.4; architecture 0.3; "
                                              "anthropology 0.3; archaeology 0.3; film 0.2"),
    "Stellenbosch University": _broad("agriculture 0.5; engineering 0.5; law 0.4; medicine 0.4; theology 0.4; "
                                      "business administration 0.4; economics 0.4; music 0.3; biology 0.3"),
    "University of Auckland": _broad("medicine 0.5; law 0.5; engineering 0.5; business administration 0.4; "
                                     "architecture 0.3; economics 0.3; statistics 0.3; psychology 0.3; "
                                     "music 0.2; painting 0.2"),
    "University of Otago": _broad("medicine 0.7; dentistry 0.6; pharmacology 0.4; law 0.4; public health 0.4; "
                                  "theology 0.3; geology 0.3; physics 0.3"),
    "University of Melbourne": _broad("medicine 0.6; law 0.6; economics 0.4; business administration 0.4; "
                                      "engineering 0.4; architecture 0.3; music 0.3; veterinary medicine 0.3; "
                                      "psychology 0.3; education 0.3"),
    "Australian National University": _broad("political science 0.6; international relations 0.6; "
                                             "astronomy 0.6; economics 0.5; physics 0.5; history 0.4; law 0.4; "
                                             "anthropology 0.4; public administration 0.4; archaeology 0.3; "
                                             "mathematics 0.3; linguistics 0.3; philosophy 0.3; geology 0.3"),
    "University of Queensland": _broad("medicine 0.5; engineering 0.5; agriculture 0.4; veterinary medicine 0.4; "
                                       "biology 0.4; law 0.4; business administration 0.4; geology 0.3; "
                                       "dentistry 0.3; pharmacology 0.3; psychology 0.3; ecology 0.3"),
    "Monash University": _broad("medicine 0.6; pharmacology 0.6; engineering 0.5; law 0.5; "
                                "business administration 0.5; economics 0.4; education 0.4; nursing 0.3; "
                                "psychology 0.3"),
    "McGill University": _broad("medicine 0.8; law 0.5; neuroscience 0.5; engineering 0.4; physics 0.4; "
                                "economics 0.4; music 0.4; psychology 0.4; dentistry 0.3; architecture 0.3"),
    "University of British Columbia": _broad("engineering 0.5; medicine 0.5; environmental science 0.4; law 0.4; "
                                             "business administration 0.4; computer science 0.4; "
                                             "oceanography 0.3; geology 0.3; physics 0.3; ecology 0.3"),
    "University of Montreal": _broad("medicine 0.6; law 0.5; engineering 0.5; computer science 0.5; "
                                     "psychology 0.4; pharmacology 0.4; business administration 0.4; "
                                     "veterinary medicine 0.3; architecture 0.3; dentistry 0.3; "
                                     "urban planning 0.3"),
    "University of Alberta": _broad("engineering 0.6; medicine 0.5; computer science 0.5; geology 0.4; "
                                    "agriculture 0.4; chemical engineering 0.4; law 0.3; "
                                    "business administration 0.3; nursing 0.3; pharmacology 0.3"),
    "University of Chile": _broad("law 0.6; medicine 0.6; engineering 0.5; economics 0.4; literature 0.4; "
                                  "political science 0.4; architecture 0.3; astronomy 0.3; music 0.3; "
                                  "theatre 0.2"),
    "Pontifical Catholic University of Chile": _broad("economics 0.6; engineering 0.5; law 0.5; medicine 0.5; "
                                                      "business administration 0.4; architecture 0.4; "
                                                      "theology 0.4; astronomy 0.3; journalism 0.3; "
                                                      "political science 0.3"),
    "University of Havana": _broad("medicine 0.6; law 0.5; literature 0.4; history 0.4; philosophy 0.3; "
                                   "chemistry 0.3; biology 0.3; mathematics 0.3; journalism 0.3; economics 0.3"),
    "National University of Colombia": _broad("engineering 0.6; medicine 0.5; law 0.4; agriculture 0.4; "
                                              "architecture 0.4; economics 0.4; veterinary medicine 0.3; "
                                              "sociology 0.3; mathematics 0.3; physics 0.3; anthropology 0.3"),
    "University of the Andes": _broad("economics 0.6; engineering 0.6; law 0.5; business administration 0.5; "
                                      "political science 0.4; architecture 0.3; medicine 0.3; "
                                      "computer science 0.3"),
    "Central University of Venezuela": _broad("law 0.5; medicine 0.5; engineering 0.5; architecture 0.5; "
                                              "economics 0.4; journalism 0.4; political science 0.3; "
                                              "geology 0.3; dentistry 0.3; pharmacology 0.3"),
    "Central University of Ecuador": _broad("law 0.5; medicine 0.5; engineering 0.4; economics 0.4; "
                                            "architecture 0.3; journalism 0.3; political science 0.3; "
                                            "dentistry 0.3; agriculture 0.3"),
    "Higher University of San Andrés": _broad("law 0.5; medicine 0.5; engineering 0.4; economics 0.4; "
                                              "sociology 0.3; anthropology 0.3; geology 0.3; architecture 0.3"),
    "University of the Republic": _broad("law 0.5; medicine 0.5; engineering 0.4; economics 0.4; agriculture 0.4; "
                                         "architecture 0.3; veterinary medicine 0.3; psychology 0.3; music 0.2"),
    "National University of Asunción": _broad("law 0.5; medicine 0.5; engineering 0.4; economics 0.4; "
                                              "agriculture 0.3; architecture 0.3; dentistry 0.3"),
    "University of San Carlos of Guatemala": _broad("law 0.6; medicine 0.5; engineering 0.4; agriculture 0.3; "
                                                    "economics 0.3; architecture 0.3"),
    "University of Panama": _broad("law 0.5; medicine 0.4; engineering 0.4; business administration 0.4; "
                                   "economics 0.3; architecture 0.3; public administration 0.3"),
    "University of Costa Rica": _broad("law 0.5; medicine 0.5; engineering 0.4; agriculture 0.4; economics 0.4; "
                                       "ecology 0.3; biology 0.3; political science 0.3; education 0.3; music 0.2"),
    "Federal University of Rio de Janeiro": _broad("engineering 0.7; medicine 0.6; physics 0.4; chemistry 0.4; "
                                                   "economics 0.4; law 0.4; architecture 0.3; music 0.3; "
                                                   "mathematics 0.3; journalism 0.3; painting 0.2"),
    "State University of Campinas": _broad("engineering 0.7; physics 0.6; computer science 0.5; chemistry 0.5; "
                                           "mathematics 0.5; medicine 0.5; economics 0.4; "
                                           "electrical engineering 0.4; linguistics 0.3; music 0.2"),
    "University of Brasília": _broad("law 0.5; political science 0.5; international relations 0.5; "
                                     "economics 0.4; medicine 0.4; public administration 0.4; architecture 0.3; "
                                     "journalism 0.3; sociology 0.3"),
    "Federal University of Minas Gerais": _broad("medicine 0.6; engineering 0.6; law 0.5; economics 0.4; "
                                                 "veterinary medicine 0.3; pharmacology 0.3; dentistry 0.3; "
                                                 "architecture 0.3; computer science 0.3; physics 0.3"),
    "Pontifical Catholic University of Rio de Janeiro": _broad(
        "engineering 0.6; economics 0.6; law 0.5; business administration 0.4; computer science 0.4; "
        "journalism 0.3; architecture 0.3; international relations 0.3; theology 0.3; physics 0.3"),
    "National University of Córdoba": _broad("law 0.6; medicine 0.6; engineering 0.4; architecture 0.3; "
                                             "philosophy 0.3; astronomy 0.3; economics 0.3; psychology 0.3; "
                                             "dentistry 0.3"),
    "National University of La Plata": _broad("law 0.5; medicine 0.5; astronomy 0.5; engineering 0.4; "
                                              "journalism 0.4; architecture 0.3; veterinary medicine 0.3; "
                                              "physics 0.3; geology 0.3; anthropology 0.3"),
    "Monterrey Institute of Technology and Higher Education": _w(
        "business administration 0.9; engineering 0.8; computer science 0.5; economics 0.4; law 0.3; "
        "architecture 0.3; international relations 0.3; electrical engineering 0.3; chemical engineering 0.2; "
        "medicine 0.2"),
    "University of Guadalajara": _broad("medicine 0.5; law 0.5; engineering 0.4; business administration 0.4; "
                                        "economics 0.3; literature 0.3; architecture 0.3; dentistry 0.3; film 0.2"),
    "École Polytechnique": _w("engineering 0.9; mathematics 0.9; physics 0.8; computer science 0.5; "
                              "economics 0.4; chemistry 0.4; biology 0.2"),
    "École normale supérieure": _w("mathematics 1; philosophy 0.9; physics 0.8; literature 0.6; history 0.5; "
                                   "chemistry 0.4; biology 0.4; classics 0.4; sociology 0.4; economics 0.3; "
                                   "linguistics 0.3; computer science 0.3; geography 0.2"),
    "Sciences Po": _w("political science 1; international relations 0.8; public administration 0.6; law 0.5; "
                      "economics 0.5; journalism 0.4; sociology 0.4; history 0.3; urban planning 0.2"),
    "University of Strasbourg": _broad("chemistry 0.6; medicine 0.5; theology 0.5; law 0.4; pharmacology 0.3; "
                                       "physics 0.3; international relations 0.3; history 0.3; linguistics 0.3; "
                                       "astronomy 0.2"),
    "Aix-Marseille University": _broad("medicine 0.5; law 0.4; physics 0.4; oceanography 0.4; economics 0.3; "
                                       "astronomy 0.3; history 0.3; literature 0.3; linguistics 0.3; "
                                       "dentistry 0.2"),
    "University of Bordeaux": _broad("medicine 0.5; law 0.4; neuroscience 0.4; agriculture 0.3; economics 0.3; "
                                     "public health 0.3; chemistry 0.3; physics 0.3"),
    "Paris-Saclay University": _w("physics 0.9; mathematics 0.9; chemistry 0.6; biology 0.5; engineering 0.5; "
                                  "computer science 0.5; medicine 0.4; pharmacology 0.3; agriculture 0.3; "
                                  "law 0.2; economics 0.2"),
    "University of Iceland": _broad("law 0.4; medicine 0.4; literature 0.4; geology 0.4; history 0.3; "
                                    "linguistics 0.3; economics 0.3; theology 0.3; engineering 0.3"),
    "University of Bergen": _broad("meteorology 0.5; oceanography 0.5; medicine 0.4; geology 0.4; law 0.3; "
                                   "biology 0.3; dentistry 0.3"),
    "Aarhus University": _broad("political science 0.5; medicine 0.4; economics 0.4; business administration 0.4; "
                                "agriculture 0.3; biology 0.3; law 0.3; psychology 0.3; theology 0.3; "
                                "journalism 0.2"),
    "Stockholm University": _broad("law 0.5; economics 0.5; physics 0.4; political science 0.4; "
                                   "international relations 0.3; mathematics 0.3; journalism 0.3; "
                                   "psychology 0.3; biology 0.3; astronomy 0.3; sociology 0.3"),
    "Chalmers University of Technology": _w(
        "engineering 1; electrical engineering 0.6; civil engineering 0.5; chemical engineering 0.5; "
        "computer science 0.5; architecture 0.4; materials science 0.4; physics 0.4; mathematics 0.3"),
    "University of Basel": _broad("medicine 0.5; pharmacology 0.5; law 0.4; theology 0.4; history 0.3; "
                                  "philosophy 0.3; biology 0.3; economics 0.3"),
    "University of Lausanne": _broad("medicine 0.5; business administration 0.5; law 0.4; economics 0.4; "
                                     "biology 0.3; geology 0.3; political science 0.3; psychology 0.3; "
                                     "theology 0.2"),
    "Ghent University": _broad("engineering 0.5; medicine 0.5; law 0.4; veterinary medicine 0.4; "
                               "agriculture 0.3; pharmacology 0.3; history 0.3; literature 0.3; economics 0.3"),
    "University of Groningen": _broad("law 0.4; economics 0.4; medicine 0.4; physics 0.4; "
                                      "business administration 0.4; astronomy 0.3; psychology 0.3; "
                                      "philosophy 0.3; chemistry 0.3; mathematics 0.3"),
    "University of Bern": _broad("medicine 0.5; law 0.4; physics 0.4; veterinary medicine 0.3; astronomy 0.3; "
                                 "geology 0.3; economics 0.3; theology 0.3; political science 0.3"),
    "University of Notre Dame": _broad("theology 0.6; philosophy 0.5; business administration 0.5; law 0.4; "
                                       "engineering 0.4; history 0.3; political science 0.3; architecture 0.3; "
                                       "economics 0.3; physics 0.3"),
    "Brown University": _broad("literature 0.5; history 0.4; economics 0.4; computer science 0.4; medicine 0.4; "
                               "mathematics 0.4; political science 0.4; biology 0.3; engineering 0.3; "
                               "philosophy 0.3; archaeology 0.3; classics 0.3"),
    "Rice University": _w("engineering 0.7; chemistry 0.5; architecture 0.4; music 0.4; physics 0.4; "
                          "computer science 0.4; materials science 0.4; biology 0.3; economics 0.3; "
                          "electrical engineering 0.3; civil engineering 0.3; mathematics 0.3; "
                          "political science 0.2; history 0.2"),
    "University of Texas at Austin": _broad("engineering 0.6; computer science 0.5; law 0.5; "
                                            "business administration 0.5; geology 0.4; economics 0.4; "
                                            "journalism 0.3; public administration 0.3; astronomy 0.3; "
                                            "chemical engineering 0.3; linguistics 0.3; film 0.2"),
    "Georgia Institute of Technology": _w(
        "engineering 1; computer science 0.8; electrical engineering 0.7; civil engineering 0.6; "
        "chemical engineering 0.5; materials science 0.4; architecture 0.3; business administration 0.3; "
        "mathematics 0.3; physics 0.3"),
    "Carnegie Mellon University": _w(
        "computer science 1; engineering 0.7; electrical engineering 0.6; mathematics 0.4; statistics 0.4; "
        "economics 0.4; business administration 0.4; theatre 0.4; music 0.3; architecture 0.3; "
        "psychology 0.3; philosophy 0.3; physics 0.3; public administration 0.3; graphic design 0.3"),
    "Vanderbilt University": _broad("medicine 0.6; law 0.4; education 0.4; nursing 0.4; "
                                    "business administration 0.3; music 0.3; engineering 0.3; economics 0.3; "
                                    "psychology 0.3; theology 0.3"),
}

# -- field of work -> occupation ---------------------------------------------------------------------------------
_FIELD_OCCUPATION = {
    "physics": _w("physicist 1; university teacher 0.3; astronomer 0.1; engineer 0.1; inventor 0.05"),
    # STS's founders were often trained physicists (Kuhn, Fox Keller, Ziman)
    "science and technology studies": _w("sociologist 0.6; historian 0.5; philosopher 0.5; university teacher 0.5; "
                                         "anthropologist 0.3; physicist 0.1; writer 0.1"),
    "law": _w("lawyer 1; judge 0.3; prosecutor 0.2; politician 0.1; civil servant 0.1; university teacher 0.1; "
              "diplomat 0.05"),
    "medicine": _w("physician 1; surgeon 0.4; psychiatrist 0.15; university teacher 0.1; neuroscientist 0.05"),
    "chemistry": _w("chemist 1; university teacher 0.3; chemical engineer 0.15; pharmacist 0.05; inventor 0.05"),
    "mathematics": _w("mathematician 1; university teacher 0.3; statistician 0.1; computer scientist 0.1; "
                      "schoolteacher 0.1; physicist 0.05"),
    "biology": _w("biologist 1; university teacher 0.3; geneticist 0.2; ecologist 0.15; neuroscientist 0.05; "
                  "physician 0.05"),
    "economics": _w("economist 1; university teacher 0.3; banker 0.2; politician 0.1; civil servant 0.1; "
                    "business executive 0.1; statistician 0.05; diplomat 0.03"),
    "history": _w("historian 1; university teacher 0.3; writer 0.15; archaeologist 0.1; museum curator 0.1; "
                  "schoolteacher 0.1; librarian 0.05; journalist 0.05; politician 0.05"),
    "philosophy": _w("philosopher 1; university teacher 0.4; writer 0.2; theologian 0.1; literary critic 0.05; "
                     "psychologist 0.03"),
    "literature": _w("writer 1; novelist 0.8; poet 0.5; literary critic 0.3; translator 0.3; editor 0.2; "
                     "playwright 0.2; university teacher 0.2; journalist 0.1; publisher 0.05"),
    "music": _w("composer 1; pianist 0.6; singer 0.6; conductor 0.4; violinist 0.4; songwriter 0.4; "
                "opera singer 0.3; guitarist 0.3; rapper 0.1; university teacher 0.05"),
    "painting": _w("painter 1; illustrator 0.3; sculptor 0.2; cartoonist 0.1; art critic 0.05; "
                   "graphic designer 0.05; university teacher 0.05"),
    "architecture": _w("architect 1; urban planner 0.2; engineer 0.1; civil engineer 0.1; university teacher 0.1"),
    "computer science": _w("computer scientist 1; software engineer 0.8; university teacher 0.3; engineer 0.2; "
                           "entrepreneur 0.15; mathematician 0.1; inventor 0.05"),
    "linguistics": _w("linguist 1; translator 0.4; university teacher 0.3; philosopher 0.05; writer 0.05"),
    "sociology": _w("sociologist 1; university teacher 0.3; social worker 0.15; activist 0.05; journalist 0.05; "
                    "politician 0.03"),
    "psychology": _w("psychologist 1; university teacher 0.3; psychiatrist 0.1; neuroscientist 0.1; "
                     "social worker 0.1"),
    "political science": _w("politician 0.5; diplomat 0.3; university teacher 0.3; civil servant 0.2; "
                            "journalist 0.2; lobbyist 0.1; activist 0.1"),
    "astronomy": _w("astronomer 1; physicist 0.3; university teacher 0.3; astronaut 0.02"),
    "geology": _w("geologist 1; university teacher 0.2; engineer 0.1; explorer 0.05; mountaineer 0.02"),
    "ecology": _w("ecologist 1; biologist 0.5; university teacher 0.2; activist 0.1"),
    "genetics": _w("geneticist 1; biologist 0.5; university teacher 0.2; physician 0.1"),
    "neuroscience": _w("neuroscientist 1; physician 0.2; psychologist 0.2; biologist 0.2; university teacher 0.2; "
                       "psychiatrist 0.1"),
    "anthropology": _w("anthropologist 1; university teacher 0.3; archaeologist 0.2; sociologist 0.1; "
                       "museum curator 0.1; writer 0.05; explorer 0.05"),
    "archaeology": _w("archaeologist 1; historian 0.3; museum curator 0.2; university teacher 0.2; explorer 0.05"),
    "theology": _w("theologian 1; priest 0.6; university teacher 0.3; missionary 0.2; rabbi 0.1; imam 0.1; "
                   "philosopher 0.1"),
    "journalism": _w("journalist 1; editor 0.4; television presenter 0.2; radio host 0.2; writer 0.2; "
                     "publisher 0.1; film critic 0.05; politician 0.03"),
    "film": _w("film director 1; screenwriter 0.6; film producer 0.6; actor 0.6; film critic 0.2; voice actor 0.05"),
    "theatre": _w("stage actor 1; actor 0.8; playwright 0.4; comedian 0.1; singer 0.1; dancer 0.05"),
    "dance": _w("dancer 1; choreographer 0.5; actor 0.05; singer 0.05; model 0.05"),
    "sculpture": _w("sculptor 1; painter 0.3; jeweller 0.05; university teacher 0.05"),
    "photography": _w("photographer 1; journalist 0.1; film director 0.1"),
    "agriculture": _w("farmer 1; biologist 0.1; engineer 0.05; veterinarian 0.05; economist 0.05; politician 0.05"),
    "engineering": _w("engineer 1; civil engineer 0.3; electrical engineer 0.3; chemical engineer 0.2; inventor 0.2; "
                      "entrepreneur 0.1; university teacher 0.1; business executive 0.05; military officer 0.03; "
                      "pilot 0.03; astronaut 0.02"),
    "civil engineering": _w("civil engineer 1; engineer 0.5; urban planner 0.1; architect 0.1"),
    "electrical engineering": _w("electrical engineer 1; engineer 0.5; inventor 0.2; computer scientist 0.1; "
                                 "software engineer 0.1"),
    "chemical engineering": _w("chemical engineer 1; engineer 0.5; chemist 0.3; business executive 0.05"),
    "materials science": _w("engineer 0.6; physicist 0.5; chemist 0.5; university teacher 0.2; inventor 0.05"),
    "statistics": _w("statistician 1; mathematician 0.3; university teacher 0.2; economist 0.1; "
                     "computer scientist 0.05"),
    "education": _w("schoolteacher 1; school principal 0.3; university teacher 0.2; psychologist 0.05; "
                    "social worker 0.05; politician 0.02"),
    "public health": _w("physician 0.7; university teacher 0.2; civil servant 0.2; nurse 0.1; activist 0.05; "
                        "statistician 0.05"),
    "nursing": _w("nurse 1; social worker 0.05"),
    "pharmacology": _w("pharmacist 0.8; chemist 0.4; physician 0.3; university teacher 0.2; biologist 0.1"),
    "veterinary medicine": _w("veterinarian 1; farmer 0.05; biologist 0.05"),
    "dentistry": _w("dentist 1; surgeon 0.1"),
    "oceanography": _w("biologist 0.4; geologist 0.3; ecologist 0.3; explorer 0.2; university teacher 0.2; "
                       "physicist 0.1; sailor 0.1"),
    "meteorology": _w("physicist 0.5; university teacher 0.3; television presenter 0.1; engineer 0.1; "
                      "statistician 0.05; pilot 0.05"),
    "geography": _w("university teacher 0.5; schoolteacher 0.3; geologist 0.3; explorer 0.2; urban planner 0.2; "
                    "historian 0.1; writer 0.05"),
    "classics": _w("historian 0.5; university teacher 0.5; translator 0.4; linguist 0.3; archaeologist 0.2; "
                   "schoolteacher 0.2; philosopher 0.1; poet 0.05"),
    "art history": _w("historian 0.6; museum curator 0.6; art critic 0.5; university teacher 0.3; writer 0.1"),
    "musicology": _w("university teacher 0.5; composer 0.4; historian 0.3; conductor 0.1; pianist 0.1; writer 0.1; "
                     "librarian 0.05"),
    "poetry": _w("poet 1; writer 0.5; translator 0.2; novelist 0.1; songwriter 0.1; playwright 0.1; "
                 "literary critic 0.1"),
    "fashion design": _w("fashion designer 1; model 0.3; entrepreneur 0.1; graphic designer 0.05; illustrator 0.05; "
                         "jeweller 0.05"),
    "graphic design": _w("graphic designer 1; illustrator 0.5; cartoonist 0.2; photographer 0.1; painter 0.05"),
    "urban planning": _w("urban planner 1; architect 0.5; civil engineer 0.2; civil servant 0.2; politician 0.05"),
    "international relations": _w("diplomat 1; politician 0.3; civil servant 0.2; university teacher 0.2; "
                                  "journalist 0.1; lobbyist 0.05; military officer 0.05; activist 0.05"),
    "public administration": _w("civil servant 1; politician 0.5; diplomat 0.1; lobbyist 0.05; economist 0.05"),
    "business administration": _w("business executive 1; entrepreneur 0.6; businessperson 0.6; banker 0.3; "
                                  "accountant 0.3; politician 0.05; philanthropist 0.05"),
    "environmental science": _w("ecologist 0.6; biologist 0.3; activist 0.2; geologist 0.2; university teacher 0.2; "
                                "engineer 0.1; civil servant 0.05"),
}

# -- field of work -> award received -----------------------------------------------------------------------------
# The prizes a field's people win (national honours are the continent's row). Left out: graphic design.
_FIELD_AWARD = {
    "physics": _w("Nobel Prize in Physics 1; Wolf Prize in Physics 0.6; Dirac Medal 0.5; Max Planck Medal 0.5; "
                  "Breakthrough Prize in Fundamental Physics 0.4; Copley Medal 0.2; Royal Medal 0.2; Kavli Prize 0.2; "
                  "Leibniz Prize 0.2; Shaw Prize 0.1; Japan Prize 0.1; Balzan Prize 0.1; Kyoto Prize 0.1; "
                  "Templeton Prize 0.05"),
    "science and technology studies": _w("Holberg Prize 0.5; Kyoto Prize 0.3; Balzan Prize 0.3; "
                                         "Prince of Asturias Award 0.1; Leibniz Prize 0.1"),
    "law": _w("Knight Bachelor 1; Sakharov Prize 0.3; Nobel Peace Prize 0.2; Right Livelihood Award 0.2; "
              "Presidential Medal of Freedom 0.1; Légion d'honneur 0.1; Balzan Prize 0.05"),
    "medicine": _w("Nobel Prize in Physiology or Medicine 1; Lasker Award 0.7; Gairdner Award 0.6; "
                   "Wolf Prize in Medicine 0.5; Shaw Prize 0.3; Japan Prize 0.2; Royal Medal 0.2; Leibniz Prize 0.2; "
                   "Copley Medal 0.1; Kavli Prize 0.1; Crafoord Prize 0.1; Kyoto Prize 0.1; Balzan Prize 0.05"),
    "chemistry": _w("Nobel Prize in Chemistry 1; Leibniz Prize 0.3; Copley Medal 0.2; Royal Medal 0.2; "
                    "Kyoto Prize 0.1; Japan Prize 0.1; Kavli Prize 0.1"),
    "mathematics": _w("Fields Medal 1; Abel Prize 0.9; Wolf Prize in Mathematics 0.8; Shaw Prize 0.3; "
                      "Crafoord Prize 0.2; Leibniz Prize 0.2; Copley Medal 0.1; Kyoto Prize 0.1; Balzan Prize 0.05; "
                      "Dirac Medal 0.05; Turing Award 0.05"),
    "biology": _w("Nobel Prize in Physiology or Medicine 0.5; Crafoord Prize 0.3; Lasker Award 0.3; "
                  "Royal Medal 0.3; Shaw Prize 0.3; Leibniz Prize 0.3; Kyoto Prize 0.2; Copley Medal 0.2; "
                  "Japan Prize 0.2; Wolf Prize in Medicine 0.2; Gairdner Award 0.2; Balzan Prize 0.1; "
                  "Kavli Prize 0.1"),
    "economics": _w("Nobel Memorial Prize in Economic Sciences 1; Balzan Prize 0.1; Leibniz Prize 0.1; "
                    "Prince of Asturias Award 0.1; Presidential Medal of Freedom 0.05; Padma Bhushan 0.05"),
    "history": _w("Pulitzer Prize 0.5; Balzan Prize 0.3; Holberg Prize 0.3; Prince of Asturias Award 0.2; "
                  "National Book Award 0.2; Leibniz Prize 0.1"),
    "philosophy": _w("Holberg Prize 0.5; Kyoto Prize 0.4; Templeton Prize 0.3; Balzan Prize 0.3; "
                     "Nobel Prize in Literature 0.1; Prince of Asturias Award 0.1"),
    "literature": _w("Nobel Prize in Literature 1; Booker Prize 0.6; Pulitzer Prize for Fiction 0.6; "
                     "Prix Goncourt 0.5; Miguel de Cervantes Prize 0.5; National Book Award 0.4; Hugo Award 0.3; "
                     "Nebula Award 0.3; Pulitzer Prize 0.3; Goethe Prize 0.2; Prince of Asturias Award 0.2"),
    "music": _w("Grammy Award 1; Polar Music Prize 0.5; Praemium Imperiale 0.3; Pulitzer Prize 0.2; "
                "Kyoto Prize 0.1; Tony Award 0.1; Golden Globe Award 0.05"),
    "painting": _w("Praemium Imperiale 1; Kyoto Prize 0.2; Balzan Prize 0.1; Prince of Asturias Award 0.1"),
    "architecture": _w("Pritzker Architecture Prize 1; Royal Gold Medal 0.7; Stirling Prize 0.5; "
                       "Praemium Imperiale 0.4; Kyoto Prize 0.1; Prince of Asturias Award 0.05"),
    "computer science": _w("Turing Award 1; Kyoto Prize 0.2; Japan Prize 0.2; Leibniz Prize 0.1; "
                           "Presidential Medal of Freedom 0.05; Royal Medal 0.05"),
    "linguistics": _w("Kyoto Prize 0.2; Balzan Prize 0.2; Holberg Prize 0.2; Leibniz Prize 0.2; "
                      "Prince of Asturias Award 0.05"),
    "sociology": _w("Holberg Prize 0.3; Balzan Prize 0.3; Prince of Asturias Award 0.3; Leibniz Prize 0.1"),
    "psychology": _w("Nobel Memorial Prize in Economic Sciences 0.2; Balzan Prize 0.2; Leibniz Prize 0.2; "
                     "Kavli Prize 0.1; Nobel Prize in Physiology or Medicine 0.05"),
    "political science": _w("Nobel Peace Prize 0.4; Prince of Asturias Award 0.3; Holberg Prize 0.2; "
                            "Sakharov Prize 0.2; Presidential Medal of Freedom 0.2; Balzan Prize 0.1; "
                            "Congressional Gold Medal 0.1; Right Livelihood Award 0.1"),
    "astronomy": _w("Shaw Prize 0.8; Kavli Prize 0.6; Nobel Prize in Physics 0.5; Crafoord Prize 0.4; "
                    "Breakthrough Prize in Fundamental Physics 0.2; Copley Medal 0.1; Balzan Prize 0.1; "
                    "Royal Medal 0.1; Wolf Prize in Physics 0.1; Kyoto Prize 0.1"),
    "geology": _w("Crafoord Prize 0.7; Japan Prize 0.2; Balzan Prize 0.2; Leibniz Prize 0.2; Copley Medal 0.1; "
                  "Royal Medal 0.1; Kyoto Prize 0.1"),
    "ecology": _w("Crafoord Prize 0.6; Kyoto Prize 0.3; Right Livelihood Award 0.3; Japan Prize 0.2; "
                  "Balzan Prize 0.1; Royal Medal 0.1"),
    "genetics": _w("Nobel Prize in Physiology or Medicine 1; Lasker Award 0.6; Gairdner Award 0.6; "
                   "Wolf Prize in Medicine 0.4; Shaw Prize 0.3; Nobel Prize in Chemistry 0.2; Japan Prize 0.2; "
                   "Leibniz Prize 0.2; Kyoto Prize 0.1; Copley Medal 0.1; Royal Medal 0.1"),
    "neuroscience": _w("Kavli Prize 0.8; Nobel Prize in Physiology or Medicine 0.7; Lasker Award 0.4; "
                       "Gairdner Award 0.3; Wolf Prize in Medicine 0.3; Shaw Prize 0.2; Leibniz Prize 0.2; "
                       "Kyoto Prize 0.1"),
    "anthropology": _w("Balzan Prize 0.3; Holberg Prize 0.3; Prince of Asturias Award 0.1; Leibniz Prize 0.1"),
    "archaeology": _w("Balzan Prize 0.3; Prince of Asturias Award 0.2; Holberg Prize 0.1; Leibniz Prize 0.1"),
    "theology": _w("Templeton Prize 1; Holberg Prize 0.1; Balzan Prize 0.05; Nobel Peace Prize 0.05"),
    "journalism": _w("Pulitzer Prize 1; Prince of Asturias Award 0.3; Emmy Award 0.2; Sakharov Prize 0.1; "
                     "Nobel Peace Prize 0.05; Right Livelihood Award 0.05; Presidential Medal of Freedom 0.05"),
    "film": _w("Academy Award for Best Actor 0.6; Golden Globe Award 0.6; BAFTA Award 0.6; Palme d'Or 0.5; "
               "Golden Lion 0.4; Golden Bear 0.4; César Award 0.3; Emmy Award 0.3; Praemium Imperiale 0.1"),
    "theatre": _w("Tony Award 1; Academy Award for Best Actor 0.2; Praemium Imperiale 0.2; Pulitzer Prize 0.2; "
                  "Emmy Award 0.1; Golden Globe Award 0.1; BAFTA Award 0.1"),
    "dance": _w("Praemium Imperiale 0.3; Kyoto Prize 0.3; Tony Award 0.3; Emmy Award 0.1; "
                "Prince of Asturias Award 0.1"),
    "sculpture": _w("Praemium Imperiale 1; Kyoto Prize 0.1"),
    "photography": _w("Pulitzer Prize 0.5; Prince of Asturias Award 0.1; Praemium Imperiale 0.1"),
    "agriculture": _w("Japan Prize 0.4; Right Livelihood Award 0.3; Nobel Peace Prize 0.2; Balzan Prize 0.05"),
    "engineering": _w("Japan Prize 0.5; Kyoto Prize 0.4; Leibniz Prize 0.2; Nobel Prize in Physics 0.1; "
                      "Royal Medal 0.1; Turing Award 0.05"),
    "civil engineering": _w("Japan Prize 0.2; Kyoto Prize 0.1; Royal Gold Medal 0.1; Leibniz Prize 0.05"),
    "electrical engineering": _w("Kyoto Prize 0.4; Japan Prize 0.4; Nobel Prize in Physics 0.2; Leibniz Prize 0.1; "
                                 "Turing Award 0.05; Royal Medal 0.05"),
    "chemical engineering": _w("Japan Prize 0.2; Nobel Prize in Chemistry 0.2; Kyoto Prize 0.1; Leibniz Prize 0.1"),
    "materials science": _w("Japan Prize 0.4; Kyoto Prize 0.3; Nobel Prize in Physics 0.3; "
                            "Nobel Prize in Chemistry 0.3; Kavli Prize 0.3; Leibniz Prize 0.2; "
                            "Wolf Prize in Physics 0.1"),
    "statistics": _w("Royal Medal 0.2; Nobel Memorial Prize in Economic Sciences 0.2; Copley Medal 0.1; "
                     "Leibniz Prize 0.1"),
    "education": _w("Nobel Peace Prize 0.2; Prince of Asturias Award 0.2; Right Livelihood Award 0.1; "
                    "Presidential Medal of Freedom 0.1"),
    "public health": _w("Lasker Award 0.5; Gairdner Award 0.4; Nobel Prize in Physiology or Medicine 0.2; "
                        "Prince of Asturias Award 0.2; Nobel Peace Prize 0.1; Right Livelihood Award 0.1; "
                        "Japan Prize 0.1; Presidential Medal of Freedom 0.05"),
    "nursing": _w("Order of the British Empire 0.3; Order of Australia 0.2; Order of Canada 0.2; Padma Shri 0.2"),
    "pharmacology": _w("Nobel Prize in Physiology or Medicine 0.6; Lasker Award 0.5; Gairdner Award 0.3; "
                       "Wolf Prize in Medicine 0.2; Nobel Prize in Chemistry 0.2; Japan Prize 0.1"),
    "veterinary medicine": _w("Order of the British Empire 0.2; Japan Prize 0.1; "
                              "Nobel Prize in Physiology or Medicine 0.05; Wolf Prize in Medicine 0.05"),
    "dentistry": _w("Order of the British Empire 0.2; Order of Australia 0.1; Padma Shri 0.1"),
    "oceanography": _w("Crafoord Prize 0.3; Kyoto Prize 0.2; Japan Prize 0.2; Balzan Prize 0.1; Royal Medal 0.05"),
    "meteorology": _w("Crafoord Prize 0.3; Nobel Prize in Physics 0.2; Japan Prize 0.2; Balzan Prize 0.1"),
    "geography": _w("Balzan Prize 0.1; Prince of Asturias Award 0.1; Leibniz Prize 0.1"),
    "classics": _w("Balzan Prize 0.2; Leibniz Prize 0.2; Holberg Prize 0.1; Prince of Asturias Award 0.05"),
    "art history": _w("Balzan Prize 0.3; Holberg Prize 0.1; Leibniz Prize 0.1"),
    "musicology": _w("Balzan Prize 0.3; Leibniz Prize 0.1"),
    "poetry": _w("Nobel Prize in Literature 0.7; Pulitzer Prize 0.5; Miguel de Cervantes Prize 0.3; "
                 "National Book Award 0.3; Goethe Prize 0.1; Prince of Asturias Award 0.1"),
    "fashion design": _w("Légion d'honneur 0.2; Order of the British Empire 0.2; "
                         "Order of Merit of the Italian Republic 0.2"),
    "urban planning": _w("Royal Gold Medal 0.2"),
    "international relations": _w("Nobel Peace Prize 1; Sakharov Prize 0.3; Prince of Asturias Award 0.3; "
                                  "Presidential Medal of Freedom 0.2; Order of Friendship 0.2; "
                                  "Congressional Gold Medal 0.1; Order of the Rising Sun 0.1; "
                                  "Right Livelihood Award 0.1"),
    "public administration": _w("Knight Bachelor 0.3; Order of the British Empire 0.3; "
                                "Presidential Medal of Freedom 0.2; Padma Bhushan 0.2; Federal Cross of Merit 0.2; "
                                "Order of Merit 0.1; Order of Lenin 0.1; Order of Canada 0.1; Order of Australia 0.1; "
                                "Congressional Gold Medal 0.1"),
    "business administration": _w("Knight Bachelor 0.3; Order of the British Empire 0.2; Padma Bhushan 0.2; "
                                  "Presidential Medal of Freedom 0.1; Légion d'honneur 0.1; "
                                  "Federal Cross of Merit 0.1; Order of Merit of the Italian Republic 0.1; "
                                  "Order of Australia 0.1; Order of Canada 0.1"),
    "environmental science": _w("Right Livelihood Award 0.5; Crafoord Prize 0.3; Kyoto Prize 0.2; Japan Prize 0.2; "
                                "Nobel Peace Prize 0.2; Balzan Prize 0.1; Prince of Asturias Award 0.1"),
}

# -- continent -> award received ------------------------------------------------------------------------------------
# The continent's national and regional honours, then international prizes with small weights (roughly
# their laureates' share from the continent).
_CONTINENT_AWARD = {
    "Europe": _w("""Légion d'honneur 1; Order of the British Empire 1; Federal Cross of Merit 0.8;
        Order of Merit of the Italian Republic 0.7; Knight Bachelor 0.6; Order of Lenin 0.5; Order of Merit 0.4;
        Order of Isabella the Catholic 0.4; Hero of the Soviet Union 0.3; Order of Friendship 0.3;
        Prince of Asturias Award 0.2; Leibniz Prize 0.2; Olympic gold medal 0.2; Sakharov Prize 0.1;
        Goethe Prize 0.1; Prix Goncourt 0.1; César Award 0.1; Copley Medal 0.1; Royal Medal 0.1;
        Ballon d'Or 0.1; Booker Prize 0.05; Stirling Prize 0.05; Max Planck Medal 0.05; Holberg Prize 0.05;
        Crafoord Prize 0.05; Polar Music Prize 0.05; Nobel Prize in Physics 0.05; Nobel Prize in Chemistry 0.05;
        Nobel Prize in Physiology or Medicine 0.05; Nobel Prize in Literature 0.05; Nobel Peace Prize 0.03;
        Nobel Memorial Prize in Economic Sciences 0.03; Fields Medal 0.03; Abel Prize 0.03"""),
    "Asia": _w("""Padma Shri 1; Order of the Rising Sun 0.8; Padma Bhushan 0.7; Order of Culture 0.3;
        Kyoto Prize 0.2; Japan Prize 0.2; Olympic gold medal 0.2; Bharat Ratna 0.1; Praemium Imperiale 0.1;
        Shaw Prize 0.1; Order of Lenin 0.1; Order of Friendship 0.1; Hero of the Soviet Union 0.05;
        Nobel Prize in Physics 0.02; Nobel Prize in Chemistry 0.02; Nobel Prize in Physiology or Medicine 0.01;
        Nobel Prize in Literature 0.02; Nobel Peace Prize 0.02; Fields Medal 0.01"""),
    "North America": _w("""Presidential Medal of Freedom 0.8; Order of Canada 0.8; Pulitzer Prize 0.5;
        Emmy Award 0.5; Grammy Award 0.5; Congressional Gold Medal 0.3; National Book Award 0.3;
        Golden Globe Award 0.3; Tony Award 0.3; Olympic gold medal 0.3; Order of the Aztec Eagle 0.2;
        Pulitzer Prize for Fiction 0.2; Academy Award for Best Actor 0.2; Lasker Award 0.2; Gairdner Award 0.1;
        Hugo Award 0.1; Nebula Award 0.1; Turing Award 0.1; Nobel Prize in Physics 0.05;
        Nobel Prize in Chemistry 0.05; Nobel Prize in Physiology or Medicine 0.05;
        Nobel Memorial Prize in Economic Sciences 0.05; Nobel Prize in Literature 0.02; Nobel Peace Prize 0.02"""),
    "South America": _w("""Miguel de Cervantes Prize 0.6; Order of the Southern Cross 0.5;
        Order of Isabella the Catholic 0.2; Order of the Aztec Eagle 0.2; Prince of Asturias Award 0.2;
        Légion d'honneur 0.1; Ballon d'Or 0.1; Olympic gold medal 0.1; Nobel Prize in Literature 0.05;
        Nobel Peace Prize 0.05; Nobel Prize in Physiology or Medicine 0.02"""),
    "Africa": _w("""National Order of the Lion 0.6; Nobel Peace Prize 0.3; Right Livelihood Award 0.3;
        Order of the British Empire 0.2; Légion d'honneur 0.2; Olympic gold medal 0.2; Sakharov Prize 0.1;
        Nobel Prize in Literature 0.05; Booker Prize 0.05; Prince of Asturias Award 0.05"""),
    "Oceania": _w("""Order of Australia 1; Order of the British Empire 0.4; Knight Bachelor 0.3;
        Olympic gold medal 0.3; Booker Prize 0.05; Order of Merit 0.05; Nobel Prize in Physiology or Medicine 0.02;
        Nobel Prize in Physics 0.01"""),
}

#: child relation -> parent relation -> parent object -> {child object: weight > 0} (see the module docstring).
ASSOCIATIONS: dict[str, dict[str, dict[str, dict[str, float]]]] = {
    "country of citizenship": {"place of birth": _PLACE_COUNTRY},
    "native language": {"country of citizenship": _COUNTRY_LANGUAGE},
    "continent": {"country of citizenship": _COUNTRY_CONTINENT},
    "religion": {"country of citizenship": _COUNTRY_RELIGION},
    "sport": {"country of citizenship": _COUNTRY_SPORT},
    "educated at": {"country of citizenship": _COUNTRY_UNIVERSITY},
    "field of work": {"educated at": _UNIVERSITY_FIELD},
    "occupation": {"field of work": _FIELD_OCCUPATION},
    "award received": {"field of work": _FIELD_AWARD, "continent": _CONTINENT_AWARD},
}


def association_coverage(domains: Mapping[str, Sequence[str]]) -> dict[tuple[str, str], float]:
    """For each ``(parent, child)`` edge of :data:`ASSOCIATIONS` whose two relations are in ``domains``, the
    share of the parent's objects that have at least one association inside the child's domain.

    ``domains`` maps a relation to its objects (a world's domains, e.g. the first ``k`` built-in names).
    Edges with a relation missing from ``domains``, or an empty parent domain, are left out.

        >>> cov = association_coverage({"country of citizenship": ["France", "Japan", "Kenya"],
        ...                             "native language": ["French", "Japanese", "German"],
        ...                             "continent": ["Europe", "Asia", "Africa"]})
        >>> cov[("country of citizenship", "native language")]  # Kenya's Swahili/English are missing
        0.6666666666666666
        >>> cov[("country of citizenship", "continent")]
        1.0
    """
    coverage: dict[tuple[str, str], float] = {}
    for child, by_parent in ASSOCIATIONS.items():
        if child not in domains:
            continue
        child_objects = set(domains[child])
        for parent, rows in by_parent.items():
            parent_objects = domains.get(parent)
            if not parent_objects:
                continue
            hits = sum(1 for obj in parent_objects if child_objects.intersection(rows.get(obj, {})))
            coverage[(parent, child)] = hits / len(parent_objects)
    return coverage
