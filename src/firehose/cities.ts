/**
 * Real cities the firehose places stores in: WGS84 city-centre coordinates
 * (rounded to 4 decimals, about 10 m) and the IANA zone each uses.
 *
 * The list is chosen to exercise the hard cases of time and money:
 * half- and quarter-hour offsets (Kolkata +05:30, Kathmandu +05:45,
 * St. John's −03:30, Adelaide +09:30/+10:30, Chatham +12:45/+13:45), DST in
 * both hemispheres (Europe, US, Sydney, Santiago, Auckland), zones without
 * DST beside zones with it (Phoenix, Brisbane), the antimeridian (Suva,
 * Auckland, Chatham at −176.6°), zero-decimal (JPY, KRW, CLP, VND) and
 * three-decimal (BHD, KWD, JOD) currencies.
 */

export interface City {
  name: string;
  /** ISO 3166-1 alpha-2; a key of `COUNTRIES`. */
  country: string;
  lat: number;
  lon: number;
  /** IANA time zone name. */
  timezone: string;
  /** 1 = megacity, 2 = large city, 3 = smaller city: how many stores it attracts. */
  tier: 1 | 2 | 3;
  /** Local consumption-tax rate in basis points where it differs from the country's standard rate. */
  taxBp?: number;
}

function k(name: string, country: string, lat: number, lon: number, timezone: string, tier: 1 | 2 | 3, taxBp?: number): City {
  return taxBp === undefined ? { name, country, lat, lon, timezone, tier } : { name, country, lat, lon, timezone, tier, taxBp };
}

export const CITIES: readonly City[] = [
  // United States: combined state and local sales tax of the city.
  k('New York', 'US', 40.7128, -74.006, 'America/New_York', 1, 888),
  k('Los Angeles', 'US', 34.0522, -118.2437, 'America/Los_Angeles', 1, 975),
  k('Chicago', 'US', 41.8781, -87.6298, 'America/Chicago', 1, 1025),
  k('Houston', 'US', 29.7604, -95.3698, 'America/Chicago', 1, 825),
  k('Phoenix', 'US', 33.4484, -112.074, 'America/Phoenix', 2, 860),
  k('Seattle', 'US', 47.6062, -122.3321, 'America/Los_Angeles', 2, 1035),
  k('Denver', 'US', 39.7392, -104.9903, 'America/Denver', 2, 881),
  k('Miami', 'US', 25.7617, -80.1918, 'America/New_York', 2, 700),
  k('Boston', 'US', 42.3601, -71.0589, 'America/New_York', 2, 625),
  k('Atlanta', 'US', 33.749, -84.388, 'America/New_York', 2, 890),
  k('San Francisco', 'US', 37.7749, -122.4194, 'America/Los_Angeles', 2, 863),
  k('Honolulu', 'US', 21.3069, -157.8583, 'Pacific/Honolulu', 3, 450),
  k('Anchorage', 'US', 61.2181, -149.9003, 'America/Anchorage', 3, 0),
  k('Portland', 'US', 45.5152, -122.6784, 'America/Los_Angeles', 3, 0),
  // Canada: GST, HST or GST + PST of the province.
  k('Toronto', 'CA', 43.6532, -79.3832, 'America/Toronto', 1, 1300),
  k('Vancouver', 'CA', 49.2827, -123.1207, 'America/Vancouver', 2, 1200),
  k('Montréal', 'CA', 45.5019, -73.5674, 'America/Toronto', 2, 1498),
  k('Calgary', 'CA', 51.0447, -114.0719, 'America/Edmonton', 2, 500),
  k('Halifax', 'CA', 44.6488, -63.5752, 'America/Halifax', 3, 1400),
  k("St. John's", 'CA', 47.5615, -52.7126, 'America/St_Johns', 3, 1500),
  // Mexico: 8 % IVA in the northern border zone.
  k('Mexico City', 'MX', 19.4326, -99.1332, 'America/Mexico_City', 1),
  k('Guadalajara', 'MX', 20.6597, -103.3496, 'America/Mexico_City', 2),
  k('Monterrey', 'MX', 25.6866, -100.3161, 'America/Monterrey', 2),
  k('Tijuana', 'MX', 32.5149, -117.0382, 'America/Tijuana', 3, 800),
  k('Cancún', 'MX', 21.1619, -86.8515, 'America/Cancun', 3),
  // South America
  k('São Paulo', 'BR', -23.5505, -46.6333, 'America/Sao_Paulo', 1),
  k('Rio de Janeiro', 'BR', -22.9068, -43.1729, 'America/Sao_Paulo', 1),
  k('Brasília', 'BR', -15.7939, -47.8828, 'America/Sao_Paulo', 2),
  k('Manaus', 'BR', -3.119, -60.0217, 'America/Manaus', 3),
  k('Recife', 'BR', -8.0476, -34.877, 'America/Recife', 3),
  k('Buenos Aires', 'AR', -34.6037, -58.3816, 'America/Argentina/Buenos_Aires', 1),
  k('Córdoba', 'AR', -31.4201, -64.1888, 'America/Argentina/Cordoba', 2),
  k('Mendoza', 'AR', -32.8895, -68.8458, 'America/Argentina/Mendoza', 3),
  k('Santiago', 'CL', -33.4489, -70.6693, 'America/Santiago', 1),
  k('Valparaíso', 'CL', -33.0472, -71.6127, 'America/Santiago', 3),
  k('Punta Arenas', 'CL', -53.1638, -70.9171, 'America/Punta_Arenas', 3),
  k('Bogotá', 'CO', 4.711, -74.0721, 'America/Bogota', 1),
  k('Medellín', 'CO', 6.2442, -75.5812, 'America/Bogota', 2),
  k('Lima', 'PE', -12.0464, -77.0428, 'America/Lima', 1),
  k('Cusco', 'PE', -13.5319, -71.9675, 'America/Lima', 3),
  // Europe
  k('London', 'GB', 51.5074, -0.1278, 'Europe/London', 1),
  k('Manchester', 'GB', 53.4808, -2.2426, 'Europe/London', 2),
  k('Birmingham', 'GB', 52.4862, -1.8904, 'Europe/London', 2),
  k('Edinburgh', 'GB', 55.9533, -3.1883, 'Europe/London', 2),
  k('Belfast', 'GB', 54.5973, -5.9301, 'Europe/London', 3),
  k('Dublin', 'IE', 53.3498, -6.2603, 'Europe/Dublin', 2),
  k('Berlin', 'DE', 52.52, 13.405, 'Europe/Berlin', 1),
  k('Hamburg', 'DE', 53.5511, 9.9937, 'Europe/Berlin', 2),
  k('Munich', 'DE', 48.1351, 11.582, 'Europe/Berlin', 2),
  k('Cologne', 'DE', 50.9375, 6.9603, 'Europe/Berlin', 2),
  k('Frankfurt am Main', 'DE', 50.1109, 8.6821, 'Europe/Berlin', 2),
  k('Vienna', 'AT', 48.2082, 16.3738, 'Europe/Vienna', 2),
  k('Zürich', 'CH', 47.3769, 8.5417, 'Europe/Zurich', 2),
  k('Geneva', 'CH', 46.2044, 6.1432, 'Europe/Zurich', 3),
  k('Amsterdam', 'NL', 52.3676, 4.9041, 'Europe/Amsterdam', 2),
  k('Rotterdam', 'NL', 51.9244, 4.4777, 'Europe/Amsterdam', 3),
  k('Warsaw', 'PL', 52.2297, 21.0122, 'Europe/Warsaw', 2),
  k('Kraków', 'PL', 50.0647, 19.945, 'Europe/Warsaw', 3),
  k('Stockholm', 'SE', 59.3293, 18.0686, 'Europe/Stockholm', 2),
  k('Gothenburg', 'SE', 57.7089, 11.9746, 'Europe/Stockholm', 3),
  k('Oslo', 'NO', 59.9139, 10.7522, 'Europe/Oslo', 2),
  k('Bergen', 'NO', 60.3913, 5.3221, 'Europe/Oslo', 3),
  k('Tromsø', 'NO', 69.6492, 18.9553, 'Europe/Oslo', 3),
  k('Copenhagen', 'DK', 55.6761, 12.5683, 'Europe/Copenhagen', 2),
  k('Aarhus', 'DK', 56.1629, 10.2039, 'Europe/Copenhagen', 3),
  k('Helsinki', 'FI', 60.1699, 24.9384, 'Europe/Helsinki', 2),
  k('Paris', 'FR', 48.8566, 2.3522, 'Europe/Paris', 1),
  k('Lyon', 'FR', 45.764, 4.8357, 'Europe/Paris', 2),
  k('Marseille', 'FR', 43.2965, 5.3698, 'Europe/Paris', 2),
  k('Toulouse', 'FR', 43.6047, 1.4442, 'Europe/Paris', 3),
  k('Madrid', 'ES', 40.4168, -3.7038, 'Europe/Madrid', 1),
  k('Barcelona', 'ES', 41.3874, 2.1686, 'Europe/Madrid', 1),
  k('Valencia', 'ES', 39.4699, -0.3763, 'Europe/Madrid', 2),
  k('Las Palmas de Gran Canaria', 'ES', 28.1235, -15.4363, 'Atlantic/Canary', 3, 700),
  k('Lisbon', 'PT', 38.7223, -9.1393, 'Europe/Lisbon', 2),
  k('Porto', 'PT', 41.1579, -8.6291, 'Europe/Lisbon', 3),
  k('Ponta Delgada', 'PT', 37.7412, -25.6756, 'Atlantic/Azores', 3, 1600),
  k('Rome', 'IT', 41.9028, 12.4964, 'Europe/Rome', 1),
  k('Milan', 'IT', 45.4642, 9.19, 'Europe/Rome', 1),
  k('Naples', 'IT', 40.8518, 14.2681, 'Europe/Rome', 2),
  k('Istanbul', 'TR', 41.0082, 28.9784, 'Europe/Istanbul', 1),
  k('Ankara', 'TR', 39.9334, 32.8597, 'Europe/Istanbul', 2),
  // Middle East
  k('Dubai', 'AE', 25.2048, 55.2708, 'Asia/Dubai', 1),
  k('Abu Dhabi', 'AE', 24.4539, 54.3773, 'Asia/Dubai', 2),
  k('Riyadh', 'SA', 24.7136, 46.6753, 'Asia/Riyadh', 1),
  k('Jeddah', 'SA', 21.4858, 39.1925, 'Asia/Riyadh', 2),
  k('Manama', 'BH', 26.2285, 50.586, 'Asia/Bahrain', 2),
  k('Kuwait City', 'KW', 29.3759, 47.9774, 'Asia/Kuwait', 2),
  k('Amman', 'JO', 31.9454, 35.9284, 'Asia/Amman', 2),
  k('Tel Aviv', 'IL', 32.0853, 34.7818, 'Asia/Jerusalem', 2),
  k('Jerusalem', 'IL', 31.7683, 35.2137, 'Asia/Jerusalem', 2),
  k('Haifa', 'IL', 32.794, 34.9896, 'Asia/Jerusalem', 3),
  // Africa
  k('Cairo', 'EG', 30.0444, 31.2357, 'Africa/Cairo', 1),
  k('Alexandria', 'EG', 31.2001, 29.9187, 'Africa/Cairo', 2),
  k('Casablanca', 'MA', 33.5731, -7.5898, 'Africa/Casablanca', 2),
  k('Marrakesh', 'MA', 31.6295, -7.9811, 'Africa/Casablanca', 3),
  k('Lagos', 'NG', 6.5244, 3.3792, 'Africa/Lagos', 1),
  k('Abuja', 'NG', 9.0765, 7.3986, 'Africa/Lagos', 2),
  k('Accra', 'GH', 5.6037, -0.187, 'Africa/Accra', 2),
  k('Nairobi', 'KE', -1.2921, 36.8219, 'Africa/Nairobi', 1),
  k('Mombasa', 'KE', -4.0435, 39.6682, 'Africa/Nairobi', 3),
  k('Johannesburg', 'ZA', -26.2041, 28.0473, 'Africa/Johannesburg', 1),
  k('Cape Town', 'ZA', -33.9249, 18.4241, 'Africa/Johannesburg', 2),
  k('Durban', 'ZA', -29.8587, 31.0218, 'Africa/Johannesburg', 2),
  // East Asia
  k('Tokyo', 'JP', 35.6762, 139.6503, 'Asia/Tokyo', 1),
  k('Osaka', 'JP', 34.6937, 135.5023, 'Asia/Tokyo', 1),
  k('Nagoya', 'JP', 35.1815, 136.9066, 'Asia/Tokyo', 2),
  k('Sapporo', 'JP', 43.0618, 141.3545, 'Asia/Tokyo', 2),
  k('Fukuoka', 'JP', 33.5904, 130.4017, 'Asia/Tokyo', 2),
  k('Naha', 'JP', 26.2124, 127.6809, 'Asia/Tokyo', 3),
  k('Shanghai', 'CN', 31.2304, 121.4737, 'Asia/Shanghai', 1),
  k('Beijing', 'CN', 39.9042, 116.4074, 'Asia/Shanghai', 1),
  k('Shenzhen', 'CN', 22.5431, 114.0579, 'Asia/Shanghai', 1),
  k('Guangzhou', 'CN', 23.1291, 113.2644, 'Asia/Shanghai', 1),
  k('Chengdu', 'CN', 30.5728, 104.0668, 'Asia/Shanghai', 2),
  k('Wuhan', 'CN', 30.5928, 114.3055, 'Asia/Shanghai', 2),
  k('Hong Kong', 'HK', 22.3193, 114.1694, 'Asia/Hong_Kong', 1),
  k('Taipei', 'TW', 25.033, 121.5654, 'Asia/Taipei', 1),
  k('Kaohsiung', 'TW', 22.6273, 120.3014, 'Asia/Taipei', 2),
  k('Seoul', 'KR', 37.5665, 126.978, 'Asia/Seoul', 1),
  k('Busan', 'KR', 35.1796, 129.0756, 'Asia/Seoul', 2),
  // South and South-East Asia
  k('Mumbai', 'IN', 19.076, 72.8777, 'Asia/Kolkata', 1),
  k('Delhi', 'IN', 28.7041, 77.1025, 'Asia/Kolkata', 1),
  k('Bengaluru', 'IN', 12.9716, 77.5946, 'Asia/Kolkata', 1),
  k('Chennai', 'IN', 13.0827, 80.2707, 'Asia/Kolkata', 2),
  k('Kolkata', 'IN', 22.5726, 88.3639, 'Asia/Kolkata', 2),
  k('Hyderabad', 'IN', 17.385, 78.4867, 'Asia/Kolkata', 2),
  k('Kathmandu', 'NP', 27.7172, 85.324, 'Asia/Kathmandu', 2),
  k('Pokhara', 'NP', 28.2096, 83.9856, 'Asia/Kathmandu', 3),
  k('Singapore', 'SG', 1.3521, 103.8198, 'Asia/Singapore', 1),
  k('Kuala Lumpur', 'MY', 3.139, 101.6869, 'Asia/Kuala_Lumpur', 1),
  k('George Town', 'MY', 5.4141, 100.3288, 'Asia/Kuala_Lumpur', 3),
  k('Bangkok', 'TH', 13.7563, 100.5018, 'Asia/Bangkok', 1),
  k('Chiang Mai', 'TH', 18.7883, 98.9853, 'Asia/Bangkok', 3),
  k('Phuket', 'TH', 7.8804, 98.3923, 'Asia/Bangkok', 3),
  k('Ho Chi Minh City', 'VN', 10.8231, 106.6297, 'Asia/Ho_Chi_Minh', 1),
  k('Hanoi', 'VN', 21.0278, 105.8342, 'Asia/Ho_Chi_Minh', 1),
  k('Jakarta', 'ID', -6.2088, 106.8456, 'Asia/Jakarta', 1),
  k('Surabaya', 'ID', -7.2575, 112.7521, 'Asia/Jakarta', 2),
  k('Denpasar', 'ID', -8.6705, 115.2126, 'Asia/Makassar', 3),
  k('Jayapura', 'ID', -2.5337, 140.7181, 'Asia/Jayapura', 3),
  k('Manila', 'PH', 14.5995, 120.9842, 'Asia/Manila', 1),
  k('Cebu City', 'PH', 10.3157, 123.8854, 'Asia/Manila', 2),
  // Oceania
  k('Sydney', 'AU', -33.8688, 151.2093, 'Australia/Sydney', 1),
  k('Melbourne', 'AU', -37.8136, 144.9631, 'Australia/Melbourne', 1),
  k('Brisbane', 'AU', -27.4698, 153.0251, 'Australia/Brisbane', 2),
  k('Perth', 'AU', -31.9505, 115.8605, 'Australia/Perth', 2),
  k('Adelaide', 'AU', -34.9285, 138.6007, 'Australia/Adelaide', 2),
  k('Darwin', 'AU', -12.4634, 130.8456, 'Australia/Darwin', 3),
  k('Hobart', 'AU', -42.8821, 147.3272, 'Australia/Hobart', 3),
  k('Auckland', 'NZ', -36.8485, 174.7633, 'Pacific/Auckland', 1),
  k('Wellington', 'NZ', -41.2865, 174.7762, 'Pacific/Auckland', 2),
  k('Christchurch', 'NZ', -43.5321, 172.6362, 'Pacific/Auckland', 2),
  k('Waitangi', 'NZ', -43.9535, -176.5597, 'Pacific/Chatham', 3),
  k('Suva', 'FJ', -18.1248, 178.4501, 'Pacific/Fiji', 2),
  k('Nadi', 'FJ', -17.7765, 177.4356, 'Pacific/Fiji', 3),
  // Antarctica
  k('McMurdo Station', 'AQ', -77.8419, 166.6863, 'Antarctica/McMurdo', 3),
];
