/* names.c - small built-in lists of synthetic names (people, places, school
 * namesakes). Names lean toward a student's race/ethnicity the way real
 * rosters do, and common names are drawn more often than rare ones, so full
 * names repeat (with different birth dates) as they do in a real state.
 * Some names carry accents, hyphens or apostrophes to exercise UTF-8 and
 * identity matching. */
#include "synth/model.h"

/* Each list is cut into segments: general, then origin-specific ones. */
typedef struct name_segment {
    uint16_t first, count;
} name_segment;

static const char *const first_names[] = {
    /* female, general: 0..49 */
    "Emma", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Charlotte", "Amelia", "Harper", "Evelyn",
    "Abigail", "Emily", "Elizabeth", "Sofia", "Madison", "Avery", "Ella", "Scarlett", "Grace", "Chloe",
    "Victoria", "Riley", "Aria", "Lily", "Aubrey", "Zoey", "Penelope", "Lillian", "Addison", "Layla",
    "Natalie", "Hannah", "Brooklyn", "Zoë", "Nora", "Leah", "Savannah", "Audrey", "Claire", "Anna",
    "Samantha", "Allison", "Sarah", "Hailey", "Kaylee", "Paisley", "Emery", "Ruby", "Megan", "Anne-Marie",
    /* female, Hispanic: 50..69 */
    "María", "Valentina", "Ximena", "Lucía", "Camila", "Daniela", "Gabriela", "Guadalupe", "Mariana",
    "Valeria", "Alejandra", "Jimena", "Fernanda", "Paola", "Esperanza", "Rosa", "Ana", "Isabel", "Carmen",
    "Natalia",
    /* female, Black: 70..84 */
    "Aaliyah", "Imani", "Jasmine", "Destiny", "Nia", "Ebony", "Kiara", "Jada", "Aisha", "Tiana", "Zuri",
    "Amara", "Keisha", "Shanice", "Makayla",
    /* female, Asian: 85..99 */
    "Mei", "Yuna", "Priya", "Ananya", "Linh", "Jia", "Hana", "Sakura", "Min-ji", "Aiko", "Thao", "Mai",
    "Ji-woo", "Ayesha", "Kavya",
    /* female, Native: 100..104 */
    "Aiyana", "Winona", "Leilani", "Malia", "Nayeli",
    /* male, general: 105..154 */
    "Liam", "Noah", "William", "James", "Oliver", "Benjamin", "Elijah", "Lucas", "Mason", "Logan",
    "Alexander", "Ethan", "Jacob", "Michael", "Daniel", "Henry", "Jackson", "Sebastian", "Aiden",
    "Matthew", "Samuel", "David", "Joseph", "Carter", "Owen", "Wyatt", "John", "Jack", "Luke", "Jayden",
    "Dylan", "Grayson", "Levi", "Isaac", "Gabriel", "Julian", "Anthony", "Jaxon", "Lincoln", "Joshua",
    "Christopher", "Andrew", "Theodore", "Caleb", "Ryan", "Asher", "Nathan", "Thomas", "Leo", "Jean-Luc",
    /* male, Hispanic: 155..174 */
    "José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Diego", "Santiago", "Alejandro", "Javier",
    "Fernando", "Ángel", "Emiliano", "Rafael", "Eduardo", "Francisco", "Jorge", "Ricardo", "Andrés",
    "Mateo",
    /* male, Black: 175..189 */
    "Jamal", "DeShawn", "Malik", "Darnell", "Tyrone", "Jalen", "Marcus", "Andre", "Xavier", "Darius",
    "Terrell", "Isaiah", "Khalil", "Jaylen", "Omari",
    /* male, Asian: 190..204 */
    "Wei", "Hiroshi", "Arjun", "Minh", "Jin", "Rohan", "Kenji", "Tuan", "Hyun-woo", "Raj", "Vikram",
    "Bao", "Haruto", "Ravi", "Duc",
    /* male, Native: 205..209 */
    "Dakota", "Koa", "Keanu", "Chayton", "Kai",
};

static const char *const last_names[] = {
    /* general: 0..84 */
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker",
    "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans",
    "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Peterson", "Cooper",
    "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks",
    "Bennett", "Gray", "Hughes", "Price", "Sanders", "Myers", "Long", "Ross", "Foster", "O'Brien",
    "O'Connor", "McDonald", "Sullivan", "Fischer", "Schmidt", "Novak", "Kowalski", "Olsen", "Larson",
    "Smith-Jones", "Weber", "Becker", "Lindqvist", "Müller",
    /* Hispanic: 85..114 */
    "Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez",
    "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Cruz", "Reyes", "Morales", "Ortiz", "Gutierrez",
    "Chavez", "Ramos", "Ruiz", "Alvarez", "Mendoza", "Castillo", "Jiménez", "Vásquez", "Muñoz", "Peña",
    "Núñez",
    /* Black: 115..129 */
    "Washington", "Jefferson", "Banks", "Jenkins", "Coleman", "Simmons", "Freeman", "Dixon", "Bryant",
    "Holmes", "Mack", "Franklin", "Powell", "Hayes", "Gaines",
    /* Asian: 130..154 */
    "Nguyen", "Tran", "Le", "Pham", "Kim", "Park", "Choi", "Wang", "Li", "Zhang", "Chen", "Liu", "Yang",
    "Huang", "Patel", "Shah", "Singh", "Kumar", "Sato", "Suzuki", "Tanaka", "Yamamoto", "Nakamura",
    "Hoang", "Vu",
    /* Native: 155..161 */
    "Begay", "Yazzie", "Tsosie", "Benally", "Redcloud", "Two Bears", "Kahale",
};

static const name_segment female_general = {0, 50}, male_general = {105, 50};
static const name_segment last_general = {0, 85};

static name_segment origin_segment(int race, int sex, bool last)
{
    name_segment none = {0, 0};
    if (last) {
        switch (race) {
        case RACE_HISPANIC: return (name_segment){85, 30};
        case RACE_BLACK: return (name_segment){115, 15};
        case RACE_ASIAN: return (name_segment){130, 25};
        case RACE_AM_INDIAN:
        case RACE_PACIFIC_ISLANDER: return (name_segment){155, 7};
        default: return none;
        }
    }
    uint16_t base = sex ? 105 : 0;
    switch (race) {
    case RACE_HISPANIC: return (name_segment){(uint16_t)(base + 50), 20};
    case RACE_BLACK: return (name_segment){(uint16_t)(base + 70), 15};
    case RACE_ASIAN: return (name_segment){(uint16_t)(base + 85), 15};
    case RACE_AM_INDIAN:
    case RACE_PACIFIC_ISLANDER: return (name_segment){(uint16_t)(base + 100), 5};
    default: return none;
    }
}

/* Common names first: an index skewed toward the start of the segment. */
static uint16_t pick_in(synth_rng *r, name_segment seg)
{
    double u = synth_uniform(r);
    return (uint16_t)(seg.first + (uint16_t)(u * u * seg.count));
}

uint16_t synth_pick_first_name(synth_rng *r, int sex, int race)
{
    name_segment origin = origin_segment(race, sex, false);
    if (origin.count && synth_chance(r, 0.6))
        return pick_in(r, origin);
    return pick_in(r, sex ? male_general : female_general);
}

uint16_t synth_pick_last_name(synth_rng *r, int race)
{
    name_segment origin = origin_segment(race, 0, true);
    if (origin.count && synth_chance(r, 0.7))
        return pick_in(r, origin);
    return pick_in(r, last_general);
}

const char *synth_first_name(uint16_t index)
{
    return index < sizeof first_names / sizeof first_names[0] ? first_names[index] : "Alex";
}

const char *synth_last_name(uint16_t index)
{
    return index < sizeof last_names / sizeof last_names[0] ? last_names[index] : "Doe";
}

static const char *const places[] = {
    "Ashford", "Bayview", "Cedar Falls", "Clearwater", "Crestwood", "Danbury", "Eagle Rock", "Easton",
    "Elmwood", "Fairview", "Forest Hills", "Franklin", "Glenwood", "Granite Bay", "Greenfield",
    "Harborview", "Hawthorne", "Highland", "Hillsboro", "Holloway", "Ironwood", "Jasper", "Kingsley",
    "Lakeside", "Laurel", "Lexington", "Linden", "Maple Grove", "Marion", "Meadowbrook", "Milford",
    "Millbrook", "Monroe", "Northfield", "Oakdale", "Orchard Park", "Oxford", "Pine Bluff", "Pleasant Hill",
    "Prairie View", "Red Oak", "Ridgewood", "Riverton", "Rockport", "Salem", "Sandy Creek", "Shelby",
    "Silver Lake", "Springdale", "Stillwater", "Stonebridge", "Summit", "Sunnyvale", "Tamarack", "Thornton",
    "Timberline", "Union City", "Valley Forge", "Vernon", "Walnut Creek", "Warren", "Waverly",
    "Westbrook", "Whitfield", "Willow Springs", "Winchester", "Woodland", "Yorktown", "Alder Creek",
    "Bear Lake", "Blue Mound", "Brighton", "Buffalo Gap", "Calumet", "Canton", "Cherry Valley", "Clifton",
    "Coal Creek", "Copper Hill", "Deer Park", "Dover", "Dry Fork", "Elk Grove", "Fox River", "Garfield",
    "Georgetown", "Grand Prairie", "Hickory Flat", "Hope", "Indian Springs", "Juniper", "Kettle Falls",
    "Lone Pine", "Madison", "Mesa Verde", "Mill Creek", "Mount Vernon", "New Hope", "Oak Ridge",
    "Paradise Valley", "Pinecrest", "Quarry Hill", "Raven Rock", "Rolling Hills", "Saint Clair",
    "Sawyer", "Shady Grove", "Sheridan", "Spring Valley", "Sugar Land", "Tallgrass", "Three Rivers",
    "Trenton", "Twin Lakes", "Upton", "Vista", "Wheaton", "White Pine", "Wolf Creek", "Zion",
    "Cañon City", "Española", "Coeur d'Alene",
};

uint32_t synth_place_count(void)
{
    return (uint32_t)(sizeof places / sizeof places[0]);
}

const char *synth_place_name(uint32_t index)
{
    return places[index % synth_place_count()];
}

static const char *const namesakes[] = {
    "Lincoln", "Washington", "Jefferson", "Roosevelt", "Kennedy", "Franklin", "Martin Luther King Jr.",
    "Frederick Douglass", "Rosa Parks", "César Chávez", "Harriet Tubman", "Sally Ride", "Amelia Earhart",
    "Thurgood Marshall", "Sojourner Truth", "Helen Keller", "Booker T. Washington", "Eleanor Roosevelt",
    "Oak Grove", "Maple Street", "Pine Ridge", "Riverside", "Lakeview", "Hillcrest", "Sunnyside",
    "Meadowbrook", "Westwood", "Eastside", "Northgate", "Southview", "Cedar Ridge", "Willow Creek",
    "Brookside", "Fairmont", "Highland Park", "Parkview", "Valley View", "Mountain View", "Bayside",
    "Prairie Wind", "Crossroads", "Heritage", "Liberty", "Independence", "Discovery", "Horizon",
    "Pioneer", "Frontier", "Summit", "Evergreen", "Aspen", "Birchwood", "Sycamore", "Magnolia",
    "Redwood", "Cottonwood", "Juniper", "Sequoia", "Mesa", "Canyon", "Harbor", "Lighthouse", "Orchard",
    "Garfield", "McKinley", "Madison", "Monroe", "Jackson", "Grant", "Adams", "Hamilton", "Wilson",
    "Edison", "Einstein", "Curie", "Carver", "Audubon", "Muir", "Thoreau", "Whitman", "Dickinson",
    "Twain", "Hughes", "Angelou", "Morrison", "Steinbeck", "Frost", "Sandburg", "Alcott", "Irving",
};

uint32_t synth_school_namesake_count(void)
{
    return (uint32_t)(sizeof namesakes / sizeof namesakes[0]);
}

const char *synth_school_namesake(uint32_t index)
{
    return namesakes[index % synth_school_namesake_count()];
}
